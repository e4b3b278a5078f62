"""The errors of local token counting, a branch of the :class:`~gemini_nb.GeminiError` tree.

::

    GeminiError
    └── TokenizerError                 the local tokenizer cannot count (unknown model, …)
        ├── TokenizerUnavailableError  its file is not on disk and could not be downloaded
        ├── TokenizerIntegrityError    a downloaded, cached or given file fails its SHA-256
        │                              check or does not load (it is never used)
        └── UncountableContentError    the contents hold parts a text tokenizer cannot count
                                       (images, audio, video, PDFs); also a ValueError

Every message says what to do next: which file to put where, which variable points at it,
or to count with the API instead (``local=False``).
"""

from __future__ import annotations

from .._exceptions import GeminiError

__all__ = [
    "TokenizerError",
    "TokenizerIntegrityError",
    "TokenizerUnavailableError",
    "UncountableContentError",
]


class TokenizerError(GeminiError):
    """The local tokenizer cannot count these contents for this model."""


class TokenizerUnavailableError(TokenizerError):
    """The tokenizer file is not on disk and could not be downloaded (offline, proxy, 404)."""


class TokenizerIntegrityError(TokenizerError):
    """A tokenizer file does not match its pinned SHA-256, or is not a valid tokenizer."""


class UncountableContentError(TokenizerError, ValueError):
    """The contents hold parts a text tokenizer cannot count (images, audio, video, PDFs).

    ``parts`` lists them as ``"image/png"``-style descriptions, one per part.
    """

    def __init__(self, message: str, parts: list[str]) -> None:
        super().__init__(message)
        self.parts = parts
