"""``{name}`` interpolation of a cell's prompt from the user's namespace.

Only *references* are replaced: a name, optionally followed by ``.attr`` and ``[key]``
lookups, and an optional ``!r``/``!s`` conversion or ``:format`` spec — ``{df.shape}``,
``{rows[0]}``, ``{price:.2f}``. Anything else in braces stays as written, so a prompt that
contains JSON (``{"a": 1}``), code (``def f(): return {}``) or set notation is sent unchanged.
``{{`` is a literal ``{`` and closes with ``}}`` (a literal ``}``); a ``}}`` with no ``{{``
before it is left alone, so nested JSON objects (``{"a": {"b": 1}}``) survive. A reference to a name that does not exist is an error
(the user meant a variable), never silently left in the prompt.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["InterpolationError", "interpolate"]

# name(.attr | [literal])* (!r|!s|!a)? (:spec)?
_REF = re.compile(
    r"""
    \{
      (?P<expr>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[(?:-?\d+|'[^'\]]*'|"[^"\]]*")\])*)
      (?:!(?P<conv>[rsa]))?
      (?::(?P<spec>[^{}]*))?
    \}
    """,
    re.VERBOSE,
)


class InterpolationError(ValueError):
    """A ``{reference}`` that cannot be resolved; the message says how to avoid it."""


def _resolve(expr: str, namespace: Mapping[str, Any]) -> Any:
    tree = ast.parse(expr, mode="eval").body
    return _eval(tree, namespace, expr)


def _eval(node: ast.AST, ns: Mapping[str, Any], expr: str) -> Any:
    # A tiny evaluator: names, attributes and constant subscripts only, nothing callable.
    if isinstance(node, ast.Name):
        if node.id not in ns:
            raise InterpolationError(
                f"{{{expr}}}: there is no variable {node.id!r}. Define it, write {{{{{expr}}}}} "
                "for literal braces, or pass --no-interpolate."
            )
        return ns[node.id]
    if isinstance(node, ast.Attribute):
        base = _eval(node.value, ns, expr)
        try:
            return getattr(base, node.attr)
        except AttributeError:
            raise InterpolationError(
                f"{{{expr}}}: {type(base).__name__} has no attribute {node.attr!r}."
            ) from None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        base = _eval(node.value, ns, expr)
        try:
            return base[node.slice.value]
        except (KeyError, IndexError, TypeError) as exc:
            raise InterpolationError(f"{{{expr}}}: {type(exc).__name__}: {exc}") from None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.UnaryOp):
        base = _eval(node.value, ns, expr)
        index = ast.literal_eval(node.slice)
        try:
            return base[index]
        except (KeyError, IndexError, TypeError) as exc:
            raise InterpolationError(f"{{{expr}}}: {type(exc).__name__}: {exc}") from None
    raise InterpolationError(f"{{{expr}}}: only names, attributes and [constant] lookups work.")


def _render(value: Any, conv: str | None, spec: str | None, expr: str) -> str:
    if conv == "r":
        value = repr(value)
    elif conv == "a":
        value = ascii(value)
    elif conv == "s":
        value = str(value)
    try:
        return format(value, spec or "")
    except (ValueError, TypeError) as exc:
        raise InterpolationError(f"{{{expr}:{spec}}}: {exc}") from None


def interpolate(text: str, namespace: Mapping[str, Any]) -> str:
    """Replace ``{references}`` with values from ``namespace``; see the module docstring."""
    out: list[str] = []
    i = 0
    n = len(text)
    escaped_open = 0  # {{ seen and not yet closed by }}
    while i < n:
        ch = text[i]
        if ch == "{":
            if text.startswith("{{", i):
                out.append("{")
                escaped_open += 1
                i += 2
                continue
            m = _REF.match(text, i)
            if m is not None:
                out.append(_render(_resolve(m["expr"], namespace), m["conv"], m["spec"], m["expr"]))
                i = m.end()
                continue
        elif ch == "}" and escaped_open and text.startswith("}}", i):
            out.append("}")
            escaped_open -= 1
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)
