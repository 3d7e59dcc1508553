"""The one exception type a user sees: the CLI prints its message on one line, no traceback."""


class FgwebError(Exception):
    """A problem the user can fix; the message says what went wrong and what to do."""
