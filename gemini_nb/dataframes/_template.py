"""Prompt templates over a DataFrame's columns: ``"{title}: {body}"``, or a function of the row.

A template is ``str.format`` syntax whose names are columns (``{title}``, ``{meta.author}``,
``{tags[0]}``; ``{{``/``}}`` are literal braces). Every name is checked against the columns
before anything is sent; a missing value (None, NaN, NA) fills in as an empty string. A
function gets the row as a dict and returns the contents of the request (a string, or parts:
text, images, files).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .._exceptions import InvalidInputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PromptTemplate"]

Prompt = str | Callable[[dict[str, Any]], Any]


def _root(field: str) -> str:
    """The column a field names: ``meta.author`` and ``tags[0]`` name ``meta`` and ``tags``."""
    for i, ch in enumerate(field):
        if ch in ".[":
            return field[:i]
    return field


class PromptTemplate:
    """How one row becomes the contents of one request.

    >>> PromptTemplate("{title}: {body}").columns
    ['title', 'body']
    """

    __slots__ = ("_fn", "columns", "source")

    def __init__(self, prompt: Prompt) -> None:
        self.source = prompt
        self._fn: Callable[[dict[str, Any]], Any] | None = None
        if callable(prompt):
            self._fn = prompt
            self.columns: list[str] = []
            return
        if not isinstance(prompt, str):
            raise InvalidInputError(
                "prompt must be a template string such as '{title}: {body}' (column names in "
                f"braces) or a function of the row, not {type(prompt).__name__}."
            )
        names: list[str] = []
        try:
            parsed = list(string.Formatter().parse(prompt))
        except ValueError as exc:
            raise InvalidInputError(
                f"prompt {prompt!r} is not a valid template ({exc}); write literal braces as "
                "{{ and }}."
            ) from None
        for _, field, _, _ in parsed:
            if field is None:
                continue
            root = _root(field)
            if not root or root.isdigit():
                raise InvalidInputError(
                    f"prompt {prompt!r} has a positional field {{{field}}}; name a column "
                    "instead, such as {title}."
                )
            if root not in names:
                names.append(root)
        if not names:
            raise InvalidInputError(
                f"prompt {prompt!r} names no column, so every row would send the same request; "
                "put column names in braces, such as 'Summarize: {body}'."
            )
        self.columns = names

    def check(self, columns: Sequence[Any]) -> None:
        """Raise :class:`InvalidInputError` if the template names a column that is not there."""
        have = {str(c) for c in columns}
        missing = [c for c in self.columns if c not in have]
        if missing:
            listed = ", ".join(repr(str(c)) for c in columns) or "none"
            raise InvalidInputError(
                f"prompt names {', '.join('{' + m + '}' for m in missing)}, which "
                f"{'is not a column' if len(missing) == 1 else 'are not columns'} "
                f"(columns: {listed})."
            )

    def fill(self, frame: pd.DataFrame) -> list[Any]:
        """The contents of each row's request, in row order."""
        if self._fn is not None:
            fn = self._fn
            rows = frame.to_dict(orient="records")
            return [fn({str(k): v for k, v in row.items()}) for row in rows]
        assert isinstance(self.source, str)
        self.check(list(frame.columns))
        by_name = {str(c): c for c in frame.columns}
        lists = []
        for name in self.columns:
            col = frame[by_name[name]]
            lists.append(col.astype(object).where(col.notna(), "").tolist())
        template, names = self.source, self.columns
        out = []
        for values in zip(*lists, strict=True):
            try:
                out.append(template.format_map(dict(zip(names, values, strict=True))))
            except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
                raise InvalidInputError(
                    f"prompt {template!r} cannot be filled in for a row "
                    f"({type(exc).__name__}: {exc})."
                ) from None
        return out
