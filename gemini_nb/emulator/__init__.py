"""A local Gemini API: the real wire protocol, deterministic answers, faults on request.

The emulator is what gemini-nb talks to when no API key is set: demos, Binder sessions and
tests. It is strict like the real service (request bodies are validated against the API's
Discovery document; unknown fields and bad enum values get the real 400 messages) and as
lenient where the real service is (proto3 JSON: camelCase or snake_case field names).

Start it::

    python -m gemini_nb.emulator --port 0        # prints its base URL on the first line
    export GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:<port>

or from Python, in a background thread::

    from gemini_nb.emulator import serve
    with serve() as base_url:
        client = gemini_nb.Client(base_url=base_url)

Every request is routed through the API's Discovery document (``wire/routing.py``): each of its
methods is either served by a backend, one module per API noun under ``backends/`` (models,
files, caches, operations, ...), or answered ``501 UNIMPLEMENTED`` as Google answers a method it
does not implement. ``:streamGenerateContent`` streams SSE with ``alt=sse`` and a JSON array
without. Errors use Google's JSON error format and statuses (404 for an unknown model; with
``--api-key``, 403 for a missing key and 400 ``API_KEY_INVALID`` for a wrong one, as the real API
answers).

The layout: ``wire/`` (routing, framing, errors, faults, uploads, the control API),
``backends/`` (state: one store with one clock, ``--clock-speed N`` to run it faster),
``model/`` (deterministic behaviour: generate, thinking, tokens, tools, structured output,
scripted answers) and ``prose/`` (the frozen wording of free-text answers). How the model behaves
is documented in :mod:`gemini_nb.emulator.model.generate`; tools in
:mod:`gemini_nb.emulator.model.tools.turn`; fault injection (``--fail 503:2``) in
:mod:`gemini_nb.emulator.wire.faults`; scripted answers (``--answers FILE``) in
:mod:`gemini_nb.emulator.model.scripted`.

The control API (``/_emulator/requests``, ``faults``, ``answers``, ``clock``) belongs to whoever
started the emulator: it needs the per-process token (printed by the CLI on its second line,
``EmulatorServer.token`` in Python) in an ``X-Emulator-Token`` header, see
:mod:`gemini_nb.emulator.wire.control`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .wire.app import EmulatorApp, EmulatorOptions
    from .wire.server import EmulatorServer, serve

__all__ = ["EmulatorApp", "EmulatorOptions", "EmulatorServer", "serve"]


def __getattr__(name: str) -> Any:
    if name in ("EmulatorServer", "serve"):
        from .wire import server as _server

        return getattr(_server, name)
    if name in ("EmulatorApp", "EmulatorOptions"):
        from .wire import app as _app

        return getattr(_app, name)
    raise AttributeError(f"module 'gemini_nb.emulator' has no attribute {name!r}")
