"""``%gemini models``: the model list as a DataFrame grouped by capability and family.

The API lists every model flat, with fields that only some have (a description, a
temperature range, thinking): as a raw DataFrame that is NaN-filled columns and IDs broken
across lines. Here each model is one row indexed by (capability, family, id), so that pandas
shows the groups once each, with the columns that matter when choosing one and no missing
values. ``models.loc["text"]`` is one group; ``models.reset_index()`` a flat table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from ..types import Model

__all__ = ["CAPABILITIES", "capability", "family", "models_frame"]

# In the order the groups are shown.
CAPABILITIES = (
    "text",
    "images",
    "speech",
    "live (audio)",
    "video",
    "music",
    "embeddings",
    "computer use",
    "robotics",
    "grounded answers",
    "other",
)
_BRANDS = ("gemini", "gemma", "imagen", "veo", "lyria")
_VERSION = re.compile(r"^([a-z]+)-(?:([a-z]+)-)*?((?:[1-9]\d*|0)\.\d+|[1-9]\d*)(?=-|$)")
_SUB_BRANDS = {"robotics": "Robotics"}


def capability(model_id: str, methods: Iterable[str]) -> str:
    """What a model is for, from its ID and supported methods (one word or two)."""
    methods = set(methods)
    if "embedContent" in methods:
        return "embeddings"
    if methods & {"predict", "predictLongRunning"}:
        return (
            "video"
            if model_id.startswith("veo")
            else "images"
            if model_id.startswith("imagen")
            else "other"
        )
    if "bidiGenerateContent" in methods:
        return "live (audio)"
    if "bidiGenerateMusic" in methods or model_id.startswith("lyria"):
        return "music"
    if "generateAnswer" in methods:
        return "grounded answers"
    if "generateContent" not in methods:
        return "other"
    for marker, kind in (
        ("-tts", "speech"),
        ("-image", "images"),
        ("computer-use", "computer use"),
        ("robotics", "robotics"),
    ):
        if marker in model_id:
            return kind
    return "text"


def family(model_id: str, display_name: str | None = None) -> str:
    """``gemini-2.5-flash`` -> ``Gemini 2.5``; ``gemini-flash-latest`` -> ``Gemini (latest)``."""
    brand = model_id.split("-", 1)[0]
    if brand in _BRANDS:
        if model_id.endswith("-latest"):
            return f"{brand.capitalize()} (latest)"
        m = _VERSION.match(model_id)
        if m is None:
            return brand.capitalize()
        sub = next((_SUB_BRANDS[w] for w in model_id.split("-")[1:3] if w in _SUB_BRANDS), "")
        return " ".join(x for x in (brand.capitalize(), sub, m.group(3)) if x)
    name = re.sub(r"\s+\d+$", "", display_name or "").strip()
    return name if name and len(name.split()) <= 3 else model_id


def _family_key(name: str) -> tuple[int, int, float, str]:
    brand = name.split(" ", 1)[0].lower()
    rank = _BRANDS.index(brand) if brand in _BRANDS else len(_BRANDS)
    latest = 0 if name.endswith("(latest)") else 1
    m = re.search(r"(\d+(?:\.\d+)?)$", name)
    return rank, latest, -float(m.group(1)) if m else 0.0, name


def _natural(text: str) -> tuple[Any, ...]:
    # gemma-3-4b-it before gemma-3-12b-it.
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def models_frame(models: Iterable[Model]) -> pd.DataFrame:
    """One row per model: ``input_tokens``, ``output_tokens``, ``thinking``, ``name``, indexed
    by (``capability``, ``family``, ``id``) and sorted by them (newest family first). The
    display name comes last: it is the long one, and wraps."""
    try:
        import pandas as pd
    except ImportError:
        from .._optional import missing_dependency

        raise missing_dependency("%gemini models", "pandas", "notebook") from None

    rows: list[dict[str, Any]] = []
    for m in models:
        rows.append(
            {
                "capability": capability(m.id, m.supported_generation_methods or []),
                "family": family(m.id, m.display_name),
                "id": m.id,
                "name": m.display_name or m.id,
                "input_tokens": int(m.input_token_limit or 0),
                "output_tokens": int(m.output_token_limit or 0),
                "thinking": bool(m.thinking),
            }
        )
    rows.sort(
        key=lambda r: (
            CAPABILITIES.index(r["capability"]),
            _family_key(r["family"]),
            _natural(r["id"]),
        )
    )
    columns = ["capability", "family", "id", "input_tokens", "output_tokens", "thinking", "name"]
    frame = _models_frame_class()(pd.DataFrame(rows, columns=columns))
    return frame.set_index(["capability", "family", "id"])


_frame_class: Any = None


def _models_frame_class() -> Any:
    # Defined on first use: pandas is imported only by %gemini models, never at %load_ext.
    global _frame_class
    if _frame_class is None:
        import pandas as pd

        class ModelsFrame(pd.DataFrame):  # type: ignore[misc]
            """A DataFrame whose HTML keeps each model on one line (it is what a filtered or
            sorted list of models is too)."""

            @property
            def _constructor(self) -> Any:
                return ModelsFrame  # a filtered list still shows IDs unbroken

            def _repr_html_(self) -> str | None:
                table = super()._repr_html_()
                if table is None:
                    return None
                # One line per model (a long display name scrolls instead of making every
                # row tall); the name is the last column, so the rest shows first.
                return (
                    '<div class="gnb-models"><style>.gnb-models th,.gnb-models td'
                    "{white-space:nowrap}</style>"
                    f"{table}</div>"
                )

        _frame_class = ModelsFrame
    return _frame_class
