"""``LocalTokenizer``: count a request's tokens on this machine, without a call to the API.

>>> from gemini_nb.tokens import LocalTokenizer
>>> tok = LocalTokenizer("gemini-2.5-flash")          # doctest: +SKIP
>>> tok.count_tokens("What is your name?").total_tokens  # doctest: +SKIP
5

The first use downloads the model's tokenizer file once (see :mod:`._files`); after that,
counting is local. Text only: images, audio, video and PDFs raise
:class:`UncountableContentError` (count those with the API). ``sentencepiece`` (and
``tokenizers`` for the Gemma 4 models) come with ``pip install "gemini-nb[tokens]"``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ._errors import TokenizerError, TokenizerIntegrityError, UncountableContentError
from ._files import TOKENIZER_FILES, TokenizerFile, fetch_file, read_given_file, tokenizer_name_for
from ._files import cache_dir as default_cache_dir
from ._texts import RequestTexts, request_texts

if TYPE_CHECKING:
    from ..types import CountTokensResponse, GenerateContentConfig

__all__ = ["ComputeTokensResult", "LocalTokenizer", "TokensInfo", "local_count_tokens"]


@dataclass(frozen=True)
class TokensInfo:
    """The tokens of one content: ids, their bytes, and the content's role."""

    token_ids: list[int]
    tokens: list[bytes]
    role: str | None


@dataclass(frozen=True)
class ComputeTokensResult:
    tokens_info: list[TokensInfo]


class _Backend(Protocol):
    def lengths(self, texts: list[str]) -> list[int]: ...

    def pieces(self, texts: list[str]) -> list[tuple[list[int], list[bytes]]]: ...


def _missing(package: str) -> TokenizerError:
    return TokenizerError(
        f"Counting tokens locally needs the {package} package: "
        'pip install "gemini-nb[tokens]" (or count with the API: local=False).'
    )


def _byte_piece(piece: str) -> bytes | None:
    """``<0x0A>`` -> ``b"\\n"`` (byte-fallback pieces)."""
    if len(piece) == 6 and piece.startswith("<0x") and piece.endswith(">"):
        try:
            return bytes([int(piece[3:5], 16)])
        except ValueError:
            return None
    return None


# Below this many texts, encoding one by one beats the batch call, whose thread pool costs
# more (tens of microseconds) than counting a short prompt.
_BATCH = 32


class _SentencePiece:
    def __init__(self, data: bytes, what: str) -> None:
        try:
            import sentencepiece as spm
        except ImportError:
            raise _missing("sentencepiece") from None
        self._sp = spm.SentencePieceProcessor()
        try:
            self._sp.LoadFromSerializedProto(data)
        except Exception as exc:  # sentencepiece raises RuntimeError or OSError on bad protos
            raise TokenizerIntegrityError(
                f"{what} is not a valid SentencePiece model ({exc}); it was not used."
            ) from None

    def _encode(self, texts: list[str]) -> list[list[int]]:
        if len(texts) < _BATCH:
            return [self._sp.encode(t) for t in texts]
        return list(self._sp.encode(texts))

    def lengths(self, texts: list[str]) -> list[int]:
        return [len(ids) for ids in self._encode(texts)]

    def pieces(self, texts: list[str]) -> list[tuple[list[int], list[bytes]]]:
        out = []
        for ids in self._encode(texts):
            toks = []
            for i in ids:
                piece = self._sp.id_to_piece(i)
                raw = _byte_piece(piece) if self._sp.is_byte(i) else None
                toks.append(raw if raw is not None else piece.replace("\u2581", " ").encode())
            out.append((list(ids), toks))
        return out


class _HFTokenizer:
    def __init__(self, data: bytes, what: str) -> None:
        try:
            from tokenizers import Tokenizer
        except ImportError:
            raise _missing("tokenizers") from None
        try:
            self._tok = Tokenizer.from_str(data.decode("utf-8"))
        except Exception as exc:  # invalid UTF-8 or JSON, or not a tokenizer definition
            raise TokenizerIntegrityError(
                f"{what} is not a valid tokenizer.json ({exc}); it was not used."
            ) from None

    def _encode(self, texts: list[str]) -> list[Any]:
        # No special tokens (BOS): counted as the SentencePiece path counts, text alone.
        if len(texts) < _BATCH:
            return [self._tok.encode(t, add_special_tokens=False) for t in texts]
        return list(self._tok.encode_batch(texts, add_special_tokens=False))

    def lengths(self, texts: list[str]) -> list[int]:
        return [len(e.ids) for e in self._encode(texts)]

    def pieces(self, texts: list[str]) -> list[tuple[list[int], list[bytes]]]:
        out = []
        for enc in self._encode(texts):
            toks = [_byte_piece(t) or t.replace("\u2581", " ").encode() for t in enc.tokens]
            out.append((list(enc.ids), toks))
        return out


# Loaded tokenizers, shared by every LocalTokenizer in the process: parsing the 4 MB Gemma 3
# model takes longer than counting thousands of prompts.
_LOADED: dict[tuple[str, str, str], tuple[_Backend, Path]] = {}
_LOCK = threading.Lock()


def _load(
    spec: TokenizerFile,
    path: Path | None,
    directory: Path | None,
    download: bool,
) -> tuple[_Backend, Path]:
    env = os.environ.get(spec.env_var, "").strip()
    given = path if path is not None else (Path(env).expanduser() if env else None)
    if given is None and directory is None:
        directory = default_cache_dir() / "tokenizers"
    key = (spec.name, spec.sha256 or "", str(given or directory))
    with _LOCK:
        hit = _LOADED.get(key)
        if hit is not None:
            return hit
        if given is not None:
            data, where = read_given_file(spec, given), given
        else:
            data, where = fetch_file(spec, directory=directory, download=download)
        what = f"The {spec.name} tokenizer file {where}"
        backend: _Backend = (
            _SentencePiece(data, what) if spec.kind == "sentencepiece" else _HFTokenizer(data, what)
        )
        _LOADED[key] = (backend, where)
        return backend, where


class LocalTokenizer:
    """Counts tokens on this machine with the tokenizer the model uses.

    ``model_name``: a Gemini model (``"gemini-2.5-flash"``). ``path``: a tokenizer file you
    downloaded yourself (checked against the pinned SHA-256). ``tokenizer``: your own
    :class:`TokenizerFile` (another URL, a mirror, a custom file). ``cache_dir``: where
    downloads go (default: ``GEMINI_NB_CACHE_DIR`` or the user cache directory).
    ``download=False`` never touches the network.

    >>> tok = LocalTokenizer("gemini-2.5-flash")  # doctest: +SKIP
    >>> tok.count_tokens(["Hi", "How are you?"], config={"system_instruction": "Be brief."})  # doctest: +SKIP
    """

    def __init__(
        self,
        model_name: str,
        *,
        path: str | os.PathLike[str] | None = None,
        tokenizer: TokenizerFile | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        download: bool = True,
    ) -> None:
        if not isinstance(model_name, str) or not model_name.strip():
            raise TokenizerError("model_name must be a model name such as 'gemini-2.5-flash'.")
        self.model_name = model_name.strip().removeprefix("models/")
        self.file = tokenizer or TOKENIZER_FILES[tokenizer_name_for(self.model_name)]
        self._backend, self.path = _load(
            self.file,
            Path(path).expanduser() if path is not None else None,
            Path(cache_dir).expanduser() / "tokenizers" if cache_dir is not None else None,
            download,
        )

    @property
    def tokenizer_name(self) -> str:
        return self.file.name

    def __repr__(self) -> str:
        return (
            f"LocalTokenizer(model_name={self.model_name!r}, "
            f"tokenizer={self.file.name!r}, path={str(self.path)!r})"
        )

    # ------------------------------------------------------------------ counting

    def count_texts(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each text, in one batch (the fast path for many prompts)."""
        return self._backend.lengths(list(texts))

    def count_tokens(
        self, contents: Any, *, config: GenerateContentConfig | dict[str, Any] | None = None
    ) -> CountTokensResponse:
        """The request's tokens: contents, and from ``config`` the system instruction, tools
        and response schema. The answer has the API's shape (``total_tokens``)."""
        from ..types import CountTokensResponse, ModalityTokenCount

        found = _texts_of(contents, config)
        total = sum(self._backend.lengths(found.texts)) if found.texts else 0
        return CountTokensResponse(
            total_tokens=total,
            prompt_tokens_details=[ModalityTokenCount(modality="TEXT", token_count=total)],
        )

    def compute_tokens(self, contents: Any) -> ComputeTokensResult:
        """Token ids and their bytes, one entry per counted text, with its content's role."""
        found = _texts_of(contents, None)
        pieces = self._backend.pieces(found.texts) if found.texts else []
        infos: list[TokensInfo] = []
        roles = iter(role for role, n in found.roles for _ in range(n))
        for (ids, toks), role in zip(pieces, roles, strict=False):
            infos.append(TokensInfo(token_ids=ids, tokens=toks, role=role))
        return ComputeTokensResult(tokens_info=infos)


def _texts_of(contents: Any, config: Any) -> RequestTexts:
    from .._convert import build_generate_request, coerce_config, split_tools

    cfg = coerce_config(config)
    tools, _ = split_tools(cfg.tools if cfg is not None else None)
    body, _ = build_generate_request(contents, cfg, tools=tools)
    found = request_texts(body)
    if found.media:
        kinds = sorted(set(found.media))
        listing = ", ".join(f"{k} ({found.media.count(k)})" for k in kinds)
        raise UncountableContentError(
            f"The local tokenizer counts text only; these parts are not text: {listing}. "
            "Count this request with the API (count_tokens(..., local=False)), or leave "
            "the media out to count the text alone.",
            list(found.media),
        )
    return found


def local_count_tokens(model: str, contents: Any, config: Any) -> CountTokensResponse:
    """``client.models.count_tokens(..., local=True)``; the tokenizer is loaded once per process."""
    if not isinstance(model, str):
        raise TokenizerError("model must be a model name such as 'gemini-2.5-flash'.")
    return LocalTokenizer(model).count_tokens(contents, config=config)
