"""Geosift model tooling: export open_clip models to Geosift model packages (ONNX + tokenizer + manifest)."""

__version__ = '0.1.0'
