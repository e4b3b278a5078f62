"""Deterministic model behaviour shaped by the request: generate, thinking, tokens, usage,
embeddings, media parts; ``tools/`` (function calling, code execution, grounding) and
``structured/`` (schema instances, patterns, tables)."""
