"""Tools: function calling, code execution, search and URL grounding with its built-in corpus."""
