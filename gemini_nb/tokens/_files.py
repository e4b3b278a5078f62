"""Which tokenizer file a model uses, and getting that file onto disk safely.

The model table and the pinned file follow the official SDK (google-genai's local tokenizer
loader): the Gemma 3 SentencePiece model for the 2.x and early 3.x models, the Gemma 4
tokenizer for the newer ones. A file is fetched once, on first use, from its public source,
checked against its pinned SHA-256 while it streams, and kept in the user's cache directory:

* ``$GEMINI_NB_CACHE_DIR/tokenizers/`` if set, else the platform's cache directory
  (``$XDG_CACHE_HOME/gemini-nb`` or ``~/.cache/gemini-nb`` on Linux,
  ``~/Library/Caches/gemini-nb`` on macOS, ``%LOCALAPPDATA%\\gemini-nb\\Cache`` on Windows).
* ``GEMINI_NB_TOKENIZER_<NAME>`` (e.g. ``GEMINI_NB_TOKENIZER_GEMMA3``) or ``path=`` points at
  a file you fetched yourself; it is checked like a download.

A cached file that fails its hash is deleted and fetched again, never used. A download that
fails its hash, or is cut short, is never written to the cache. The Gemma 4 tokenizer has no
published hash (the official SDK lets ``transformers`` fetch it unverified), so gemini-nb does
not download it: put the file in place yourself, or pin a hash with ``TokenizerFile``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ._errors import TokenizerError, TokenizerIntegrityError, TokenizerUnavailableError

__all__ = [
    "MODEL_TOKENIZERS",
    "TOKENIZER_FILES",
    "TokenizerFile",
    "cache_dir",
    "fetch_file",
    "read_given_file",
    "tokenizer_name_for",
]

Kind = Literal["sentencepiece", "tokenizer.json"]


@dataclass(frozen=True)
class TokenizerFile:
    """One tokenizer file: its format, where it comes from, and what it must hash to.

    ``sha256=None`` means no hash is pinned: such a file is never downloaded, only read from
    disk where you put it. To use a mirror, keep the hash and change the URL:
    ``dataclasses.replace(TOKENIZER_FILES["gemma3"], url="https://mirror.example/…")``.
    """

    name: str
    kind: Kind
    url: str | None
    sha256: str | None
    filename: str

    @property
    def env_var(self) -> str:
        """The environment variable that may point at this file."""
        return (
            "GEMINI_NB_TOKENIZER_" + "".join(c if c.isalnum() else "_" for c in self.name).upper()
        )


TOKENIZER_FILES: dict[str, TokenizerFile] = {
    "gemma3": TokenizerFile(
        name="gemma3",
        kind="sentencepiece",
        url=(
            "https://raw.githubusercontent.com/google/gemma_pytorch/"
            "014acb7ac4563a5f77c76d7ff98f31b568c16508/tokenizer/gemma3_cleaned_262144_v2.spiece.model"
        ),
        sha256="1299c11d7cf632ef3b4e11937501358ada021bbdf7c47638d13c0ee982f2e79c",
        filename="gemma3_cleaned_262144_v2.spiece.model",
    ),
    "gemma4": TokenizerFile(
        name="gemma4",
        kind="tokenizer.json",
        url="https://huggingface.co/google/gemma-4-E4B-it/resolve/main/tokenizer.json",
        sha256=None,
        filename="gemma-4-E4B-it.tokenizer.json",
    ),
}

# The official SDK's table (google-genai 3.6: _local_tokenizer_loader).
MODEL_TOKENIZERS: dict[str, str] = {
    **dict.fromkeys(
        (
            "gemini-2.5-pro",
            "gemini-2.5-flash",
            "gemini-2.5-flash-lite",
            "gemini-2.0-flash",
            "gemini-2.0-flash-lite",
            "gemini-2.5-pro-preview-06-05",
            "gemini-2.5-pro-preview-05-06",
            "gemini-2.5-pro-exp-03-25",
            "gemini-live-2.5-flash",
            "gemini-2.5-flash-preview-05-20",
            "gemini-2.5-flash-preview-04-17",
            "gemini-2.5-flash-lite-preview-06-17",
            "gemini-2.0-flash-001",
            "gemini-2.0-flash-lite-001",
            "gemini-3-pro-preview",
            "gemini-3-flash-preview",
        ),
        "gemma3",
    ),
    **dict.fromkeys(
        ("gemini-3.5-flash", "gemini-3.1-flash-lite", "gemini-3.1-pro-preview"), "gemma4"
    ),
}

# Model families, for versions the table does not list (e.g. gemini-2.5-flash-preview-09-2025):
# the 2.x and 3.0 models share the Gemma 3 vocabulary, 3.1 and 3.5 the Gemma 4 one. Moving
# aliases (gemini-flash-latest) and anything newer are not guessed.
_FAMILIES: tuple[tuple[str, str], ...] = (
    ("gemini-2.0-", "gemma3"),
    ("gemini-2.5-", "gemma3"),
    ("gemini-live-2.5-", "gemma3"),
    ("gemini-3-", "gemma3"),
    ("gemini-3.1-", "gemma4"),
    ("gemini-3.5-", "gemma4"),
)


def tokenizer_name_for(model: str) -> str:
    """The tokenizer a model uses: ``"gemini-2.5-flash"`` -> ``"gemma3"``."""
    name = model.strip().removeprefix("models/")
    found = MODEL_TOKENIZERS.get(name)
    if found is None:
        found = next((tok for prefix, tok in _FAMILIES if name.startswith(prefix)), None)
    if found is None:
        raise TokenizerError(
            f"No local tokenizer is known for model {model!r}. Local counting covers the "
            "Gemini 2.x and 3.x models (e.g. gemini-2.5-flash); count with the API instead "
            "(count_tokens(..., local=False)), or pass tokenizer=TokenizerFile(...) to "
            "LocalTokenizer to say which tokenizer file to use."
        )
    return found


def cache_dir() -> Path:
    """Where downloaded tokenizer files are kept (``GEMINI_NB_CACHE_DIR`` overrides)."""
    explicit = os.environ.get("GEMINI_NB_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "gemini-nb" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "gemini-nb"
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "gemini-nb"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _where_to_put(spec: TokenizerFile, target: Path) -> str:
    source = f"Download {spec.url}" if spec.url else f"Get the {spec.name} tokenizer file"
    pin = f" Its SHA-256 must be {spec.sha256}." if spec.sha256 else ""
    return (
        f"{source} on a machine that can reach it and put it at {target}, or point "
        f"{spec.env_var} (or LocalTokenizer(..., path=...)) at it.{pin}"
    )


def _check_pinned(spec: TokenizerFile, data: bytes, what: str) -> None:
    if spec.sha256 is None:
        return
    got = _sha256(data)
    if got != spec.sha256.lower():
        raise TokenizerIntegrityError(
            f"{what} is not the pinned {spec.name} tokenizer: its SHA-256 is {got}, "
            f"expected {spec.sha256} ({len(data):,} bytes). It was not used."
        )


def read_given_file(spec: TokenizerFile, path: Path) -> bytes:
    """A file the user pointed at (``path=`` or the environment): read and check it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TokenizerUnavailableError(
            f"Cannot read the {spec.name} tokenizer file {path} ({exc.strerror or exc})."
        ) from None
    _check_pinned(spec, data, f"The file {path}")
    return data


def fetch_file(
    spec: TokenizerFile,
    *,
    directory: Path | None = None,
    download: bool = True,
    timeout: float = 60.0,
) -> tuple[bytes, Path]:
    """The file's verified bytes and where they live: from the cache, else downloaded once.

    A cached copy that fails its hash is removed and downloaded again. Raises
    :class:`TokenizerUnavailableError` when the file is missing and cannot be downloaded,
    :class:`TokenizerIntegrityError` when a download fails its hash.
    """
    target = (directory if directory is not None else cache_dir() / "tokenizers") / spec.filename
    removed = ""
    if target.is_file():
        try:
            data = target.read_bytes()
        except OSError as exc:
            raise TokenizerUnavailableError(
                f"Cannot read the cached {spec.name} tokenizer {target} ({exc.strerror or exc}); "
                "fix its permissions or delete it to download it again."
            ) from None
        if spec.sha256 is None or _sha256(data) == spec.sha256.lower():
            return data, target
        # A corrupt or tampered copy: never used, and fetched again below.
        _remove(target)
        removed = f" The cached copy at {target} failed its SHA-256 check and was removed."
    if spec.sha256 is None:
        raise TokenizerUnavailableError(
            f"The {spec.name} tokenizer is not on this machine, and no SHA-256 is published "
            f"for it, so gemini-nb does not download it unverified.{removed} "
            + _where_to_put(spec, target)
        )
    if not download or spec.url is None:
        raise TokenizerUnavailableError(
            f"The {spec.name} tokenizer is not on this machine and downloading is off.{removed} "
            + _where_to_put(spec, target)
        )
    data = _download(spec, spec.url, timeout, target, removed)
    _save(target, data)
    return data, target


def _download(spec: TokenizerFile, url: str, timeout: float, target: Path, removed: str) -> bytes:
    import httpx

    digest = hashlib.sha256()
    chunks: list[bytes] = []
    try:
        # trust_env: HTTPS_PROXY / SSL_CERT_FILE apply, as for any download behind a proxy.
        with httpx.stream(
            "GET", url, follow_redirects=True, timeout=httpx.Timeout(timeout, connect=10.0)
        ) as response:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                digest.update(chunk)
                chunks.append(chunk)
    except httpx.HTTPStatusError as exc:
        problem = f"the server answered {exc.response.status_code}"
    except httpx.RemoteProtocolError:
        got = sum(len(c) for c in chunks)
        problem = f"the download was cut off after {got:,} bytes; nothing was saved"
    except httpx.HTTPError as exc:
        problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    else:
        data = b"".join(chunks)
        if digest.hexdigest() != spec.sha256:
            raise TokenizerIntegrityError(
                f"The {spec.name} tokenizer downloaded from {url} does not match its pinned "
                f"SHA-256 (got {digest.hexdigest()} for {len(data):,} bytes, expected "
                f"{spec.sha256}): it is truncated or not the expected file, and was not used "
                f"or saved.{removed} Try again later, or: " + _where_to_put(spec, target)
            )
        return data
    raise TokenizerUnavailableError(
        f"Could not download the {spec.name} tokenizer ({problem}).{removed} "
        "Offline or behind a proxy? Set HTTPS_PROXY for the proxy, or: "
        + _where_to_put(spec, target)
    )


def _save(target: Path, data: bytes) -> None:
    """Write atomically, so a second kernel never reads half a file; an unwritable cache is
    not an error (the verified bytes are still used, and fetched again next time)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, target)
        except BaseException:
            _remove(Path(tmp))
            raise
    except OSError:
        pass  # an unwritable cache only means fetching again next time


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
