"""The wire: Discovery routing, JSON / SSE / JSON-array framing, Google-shaped errors, faults,
the resumable upload protocol, and the server runner. Nothing here knows what a noun means."""
