"""API resources, grouped by noun (``client.models``, ``client.chats``, …)."""
