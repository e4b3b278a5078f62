"""The notebook layer: ``%load_ext gemini_nb`` magics, rich display, widgets.

Loading the extension registers ``%gemini``/``%%gemini``. With no API key and no base URL in the
environment it also starts the local emulator inside the kernel and says so once, in a banner:
answers are then simulated. Nothing here imports pandas or widget code until it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .widgets.chat import ChatWidget

__all__ = ["ChatWidget", "load_ipython_extension", "unload_ipython_extension"]

_BANNER_TEXT = (
    "gemini-nb: no API key found, so answers come from the local emulator "
    "(simulated, deterministic). To use Gemini, set GEMINI_API_KEY before starting "
    "Jupyter and restart the kernel."
)
_BANNER_HTML = (
    '<div style="border-left:4px solid #e8a33d;padding:4px 10px;margin:2px 0">'
    "<b>gemini-nb</b>: no API key found, so answers come from the <b>local emulator</b> "
    "(<i>simulated, deterministic</i>). To use Gemini, set "
    "<code>GEMINI_API_KEY</code> before starting Jupyter and restart the kernel.</div>"
)


class _Banner:
    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": _BANNER_TEXT, "text/html": _BANNER_HTML}


def _external_emulator() -> bool:
    """An emulator started outside the kernel (Binder's start script) with no key set."""
    import os

    from ._embedded import KEY_VARS

    return os.environ.get("GEMINI_NB_EMULATOR") == "1" and not any(
        os.environ.get(k, "").strip() for k in KEY_VARS
    )


class _Notice:
    """A warning shown once at load, instead of a traceback."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        import html

        return {
            "text/plain": f"gemini-nb: {self.text}",
            "text/html": '<div style="border-left:4px solid #d9534f;padding:4px 10px;margin:2px 0">'
            f"<b>gemini-nb</b>: {html.escape(self.text)}</div>",
        }


def load_ipython_extension(ipython: Any) -> None:
    from IPython.display import display

    from .._optional import MissingDependencyError
    from ._embedded import ensure_backend
    from .magics import GeminiMagics

    # Magics first: without the emulator's packages they still say what to install.
    ipython.register_magics(GeminiMagics(ipython))
    try:
        started = ensure_backend()
    except MissingDependencyError as exc:
        display(_Notice(str(exc)))
        return
    if started or _external_emulator():
        display(_Banner())


def unload_ipython_extension(ipython: Any) -> None:
    # The emulator keeps running: clients made in this kernel still point at it.
    for kind in ("line", "cell"):
        ipython.magics_manager.magics[kind].pop("gemini", None)


def __getattr__(name: str) -> Any:
    if name == "ChatWidget":
        from .widgets.chat import ChatWidget

        return ChatWidget
    raise AttributeError(f"module 'gemini_nb.notebook' has no attribute {name!r}")
