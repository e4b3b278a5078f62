"""Console scripts. ``gemini-nb-emulator`` checks for the emulator's packages first, so that a
plain ``pip install gemini-nb`` gets one line naming the extra instead of a traceback.

>>> emulator(["--port", "0"])   # doctest: +SKIP
"""

from __future__ import annotations

import sys

from ._optional import MissingDependencyError, require

__all__ = ["emulator"]


def emulator(argv: list[str] | None = None) -> int:
    """``gemini-nb-emulator [options]``: the same as ``python -m gemini_nb.emulator``."""
    try:
        require("The emulator", ("starlette", "uvicorn"), "emulator")
    except MissingDependencyError as exc:
        print(f"gemini-nb-emulator: {exc}", file=sys.stderr)
        return 1
    from .emulator.__main__ import main

    return main(argv)
