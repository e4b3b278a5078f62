"""Structured output: instances of a response schema, regex samples, records and tables."""
