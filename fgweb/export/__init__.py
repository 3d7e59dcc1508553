"""Export stages: ONNX graphs, GGUF files and the tokenizer manifest."""
