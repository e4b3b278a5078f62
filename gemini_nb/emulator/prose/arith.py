"""Exact arithmetic for prompts like "What is 12 times 12?" (no floats, no eval)."""

from __future__ import annotations

import ast
import re
from decimal import Decimal, localcontext
from fractions import Fraction

__all__ = ["arithmetic", "format_number"]

_ARITH_WORDS = [
    (r"\bmultiplied by\b", "*"),
    (r"\btimes\b", "*"),
    (r"\bdivided by\b", "/"),
    (r"\bplus\b", "+"),
    (r"\bminus\b", "-"),
    (r"(?<=\d)\s*[x×]\s*(?=\d)", "*"),
    (r"÷", "/"),
    (r"\^", "**"),
]
_ARITH_RE = re.compile(r"[-(]*\d[\d.]*\)*(?:\s*(?:\*\*|[-+*/%])\s*[-(]*\d[\d.]*\)*)+")


def _evaluate(node: ast.AST, depth: int = 0) -> Fraction:
    if depth > 40:
        raise ValueError("too deep")
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, depth + 1)
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    ):
        return Fraction(str(node.value))
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, depth + 1), _evaluate(node.right, depth + 1)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            return left / right
    raise ValueError("unsupported")


def format_number(value: Fraction) -> str:
    """Exact for terminating decimals, else rounded to 10 decimal places."""
    if value.denominator == 1:
        return str(value.numerator)
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        text = format(exact.quantize(Decimal(10) ** -10), "f").rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def arithmetic(prompt: str) -> tuple[str, str] | None:
    text = prompt
    for pattern, symbol in _ARITH_WORDS:
        text = re.sub(pattern, symbol, text, flags=re.IGNORECASE)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    match = _ARITH_RE.search(text)
    if not match:
        return None
    expr = match.group().strip()
    try:
        result = _evaluate(ast.parse(expr, mode="eval"))
    except (SyntaxError, ValueError, OverflowError, TypeError, ZeroDivisionError):
        return None
    return _display(expr), format_number(result)


def _display(expr: str) -> str:
    spaced = re.sub(r"\s*(\*\*|[-+*/%])\s*", r" \1 ", expr)
    spaced = re.sub(r"(^|[(]) - ", r"\1-", spaced.strip())
    return re.sub(r"\s+", " ", spaced).replace(" * ", " × ").replace(" ** ", "^")
