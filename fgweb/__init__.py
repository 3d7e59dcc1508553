"""fgweb: a function-calling language model inside a web page."""

__version__ = "0.1.0"
