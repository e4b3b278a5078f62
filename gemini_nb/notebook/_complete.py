"""Tab completion for ``%gemini`` and ``%%gemini``: sub-commands, options, model IDs, chat
names, and names from the namespace where an option wants one.

It is an IPython completion matcher (API v2), added to ``shell.Completer.custom_matchers``
when the extension loads. On a ``%gemini``/``%%gemini`` line it answers alone (other
matchers would offer Python names); elsewhere it answers nothing. ``--file`` values are left
to IPython's own file completion.

Model IDs come from the API's model list, fetched once on the first completion that needs
them (3 s at most, no retries) and kept for ten minutes; if that fails, a short built-in list
is offered instead, so a TAB never hangs or raises.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["KNOWN_MODELS", "complete", "install", "model_ids", "uninstall"]

IDENTIFIER = "gemini_nb.magic_completer"

# Offered when the model list cannot be fetched.
KNOWN_MODELS = (
    "gemini-2.5-flash",
    "gemini-2.5-flash-lite",
    "gemini-2.5-pro",
    "gemini-2.0-flash",
    "gemini-flash-latest",
    "gemini-pro-latest",
)
_CACHE_SECONDS = 600.0
_LIST_TIMEOUT = 3.0

_MAGIC_LINE = re.compile(r"(?:^|[=(\s])(%{1,2})gemini(?=\s)")

_lock = threading.Lock()
_cached: tuple[float, tuple[str, ...]] | None = None


def model_ids(client_factory: Callable[[], Any] | None = None) -> tuple[str, ...]:
    """IDs of the models that generate content, newest list first; cached for ten minutes."""
    global _cached
    with _lock:
        now = time.monotonic()
        if _cached is not None and now - _cached[0] < _CACHE_SECONDS:
            return _cached[1]
        ids: tuple[str, ...] = KNOWN_MODELS
        try:
            if client_factory is None:
                from ._session import session

                client_factory = session.client
            pager = client_factory().models.list(
                config={"http_options": {"timeout": _LIST_TIMEOUT, "max_retries": 0}}
            )
            listed = tuple(
                m.id for m in pager if "generateContent" in (m.supported_generation_methods or [])
            )
            ids = listed or KNOWN_MODELS
        except Exception:
            # A failed list is retried after a minute, not on every TAB.
            _cached = (now - _CACHE_SECONDS + 60.0, KNOWN_MODELS)
            return KNOWN_MODELS
        _cached = (now, ids)
        return ids


def forget_models() -> None:
    """Fetch the model list again on the next completion (after the key or URL changed)."""
    global _cached
    with _lock:
        _cached = None


def complete(
    text_until_cursor: str,
    token: str,
    *,
    subcommands: dict[str, Callable[[], Iterable[str]] | None],
    options: dict[str, bool],
    namespace: dict[str, Any] | None = None,
    chats: Iterable[str] = (),
    models: Callable[[], Iterable[str]] = model_ids,
) -> list[str] | None:
    """Completions of ``token`` on a magic line, or None when the line is not ours (or the
    value is a file, which IPython completes better).

    ``text_until_cursor`` is the line up to the cursor; ``token`` the text being completed,
    as IPython cut it (after the last space or ``=``); ``subcommands`` maps each sub-command
    to what completes its argument (None: it takes none); ``options`` maps each option string
    to whether it takes a value.
    """
    found = list(_MAGIC_LINE.finditer(text_until_cursor))
    if not found:
        return None
    m = found[-1]
    cell = len(m.group(1)) == 2
    rest = text_until_cursor[m.end() :]
    words = rest.split()
    current = words.pop() if words and not rest[-1].isspace() else ""
    ns = namespace or {}

    option = words[-1] if words else ""
    if current.startswith("--") and "=" in current:  # --model=gemini-2.5-f
        option = current.split("=", 1)[0]
    elif current.startswith("-"):
        return sorted(o for o in options if o.startswith(current))
    if options.get(option):
        if option in ("-f", "--file"):
            return None
        return list(_values(option, token, ns, chats, models))
    if not cell and not words:
        return sorted(s for s in subcommands if s.startswith(current))
    argument = subcommands.get(words[0]) if not cell and len(words) == 1 else None
    if argument is not None:
        return sorted(v for v in argument() if v.startswith(current))
    if cell and not current:
        return sorted(o for o in options if o.startswith("--"))
    return None  # the prompt of a one-line %gemini: IPython's names, for {name}


def _values(
    option: str,
    prefix: str,
    ns: dict[str, Any],
    chats: Iterable[str],
    models: Callable[[], Iterable[str]],
) -> Iterable[str]:
    if option in ("-m", "--model"):
        return [m for m in models() if m.startswith(prefix)]
    if option in ("-c", "--chat"):
        return sorted(c for c in chats if c.startswith(prefix))
    if option == "--schema":
        return sorted(n for n, v in ns.items() if _public(n, prefix) and isinstance(v, type))
    if option == "--tools":
        # A comma-separated list: complete its last name.
        head, _, last = prefix.rpartition(",")
        lead = f"{head}," if head else ""
        return sorted(
            lead + n
            for n, v in ns.items()
            if _public(n, last) and callable(v) and not isinstance(v, type)
        )
    if option in ("-o", "--output"):
        return []
    return []


def _public(name: str, prefix: str) -> bool:
    return name.startswith(prefix) and not name.startswith("_")


def install(shell: Any, matcher: Callable[..., Any]) -> None:
    """Add ``matcher`` to the shell's completer, replacing an earlier one of ours."""
    completer = getattr(shell, "Completer", None)
    if completer is None or not hasattr(completer, "custom_matchers"):
        return
    uninstall(shell)
    completer.custom_matchers.insert(0, matcher)


def uninstall(shell: Any) -> None:
    completer = getattr(shell, "Completer", None)
    matchers = getattr(completer, "custom_matchers", None)
    if matchers is None:
        return
    matchers[:] = [m for m in matchers if getattr(m, "matcher_identifier", None) != IDENTIFIER]
