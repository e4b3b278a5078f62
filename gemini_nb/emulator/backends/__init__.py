"""One module per API noun (models, files, caches, operations, ...), each keeping its state in
the one :class:`~gemini_nb.emulator.backends.state.Store` with its one clock."""
