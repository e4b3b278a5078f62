"""The wording of free-text answers (frozen: no more phrasing work), behind the model's
:class:`~gemini_nb.emulator.model.responder.Responder` interface. Demos that need a particular
answer script it instead (``--answers FILE``, ``/_emulator/answers``)."""

from .reply import ProseResponder

__all__ = ["ProseResponder"]
