"""Optional dependencies: one clear error that names the extra bringing a missing package.

The core needs only httpx and pydantic; the rest comes with extras (see pyproject.toml)::

    notebook   IPython, widgets, pandas, Markdown rendering, and the in-kernel emulator
    emulator   the emulator as a server of its own (``gemini-nb-emulator``)

A feature whose package is missing raises :class:`MissingDependencyError` (an ``ImportError``,
so ``except ImportError`` still works) with the ``pip install`` line that fixes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.util import find_spec

__all__ = ["MissingDependencyError", "missing_dependency", "require"]


class MissingDependencyError(ImportError):
    """An optional package is not installed; the message says which extra brings it."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows these lines instead of a traceback: the message is the whole story,
        # and a traceback through importlib would bury it.
        return [f"{type(self).__name__}: {self}"]


def missing_dependency(feature: str, package: str, extra: str) -> MissingDependencyError:
    """The error for ``feature``, which needs ``package`` from the extra ``extra``.

    >>> str(missing_dependency("ChatWidget", "anywidget", "notebook"))
    'ChatWidget needs anywidget, which is not installed: pip install "gemini-nb[notebook]"'
    """
    verb = "are" if " and " in package else "is"
    return MissingDependencyError(
        f'{feature} needs {package}, which {verb} not installed: pip install "gemini-nb[{extra}]"',
        name=package,
    )


def require(feature: str, packages: Sequence[str], extra: str) -> None:
    """Raise :class:`MissingDependencyError` unless every top-level package can be found.

    Only looks the packages up (no import), so it is cheap enough for ``%load_ext``.
    """
    missing = [name for name in packages if find_spec(name) is None]
    if missing:
        raise missing_dependency(feature, " and ".join(missing), extra)
