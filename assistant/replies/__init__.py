"""Writing replies: grounded templates, the grounding guard for LLM replies, and answers to questions about a product."""
