"""LLM backends: the interface (protocol), the factory the settings choose with, and the transformers and OpenAI-compatible implementations."""
