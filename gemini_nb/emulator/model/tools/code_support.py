"""Safe helpers behind emulated code execution: a bounded arithmetic evaluator and tiny PNG charts.

The emulator never runs model or user code. Arithmetic is evaluated by walking a parsed
expression tree that admits only numbers, + - * / // % **, unary signs and a few math
functions, with limits on size and on the magnitude of intermediate results.
"""

from __future__ import annotations

import ast
import itertools
import math
import operator
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["CodeTask", "Unsupported", "bar_chart_png", "evaluate", "line_chart_png"]


@dataclass
class CodeTask:
    """A recognised task: what the model says, the program, and that program's exact stdout."""

    intro: str
    code: str
    output: str
    conclusion: str
    outcome: str = "OUTCOME_OK"
    image: bytes | None = None


_MAX_SOURCE = 200
_MAX_NODES = 80
_MAX_DIGITS = 1000

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}
_MATH: dict[str, Callable[..., Any]] = {
    "sqrt": math.sqrt,
    "floor": math.floor,
    "ceil": math.ceil,
    "exp": math.exp,
    "log": math.log,
    "log10": math.log10,
    "log2": math.log2,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "factorial": math.factorial,
}
_BUILTINS: dict[str, Callable[..., Any]] = {"abs": abs, "round": round}


class Unsupported(ValueError):
    """The expression is outside what the emulator agrees to evaluate."""


def _check_size(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Unsupported("not a number")
    if isinstance(value, int) and value.bit_length() > _MAX_DIGITS * 3.33:
        raise Unsupported("result too large")
    return value


def _power(base: Any, exponent: Any) -> Any:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        if exponent > 100_000 or exponent * math.log10(abs(base)) > _MAX_DIGITS:
            raise Unsupported("power too large")
    if isinstance(exponent, int) and abs(exponent) > 100_000:
        raise Unsupported("exponent too large")
    try:
        return operator.pow(base, exponent)
    except OverflowError as exc:
        raise Unsupported("overflow") from exc


def _eval(node: ast.AST) -> Any:
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    ):
        return _check_size(node.value)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _check_size(_UNARY[type(node.op)](_eval(node.operand)))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow):
            return _check_size(_power(left, right))
        if isinstance(node.op, ast.Mult) and isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > _MAX_DIGITS * 3.33:
                raise Unsupported("product too large")
        try:
            return _check_size(_BINARY[type(node.op)](left, right))
        except OverflowError as exc:
            raise Unsupported("overflow") from exc
    if isinstance(node, ast.Call) and not node.keywords:
        func = _function(node.func)
        args = [_eval(a) for a in node.args]
        if func is math.factorial and (
            len(args) != 1 or not isinstance(args[0], int) or args[0] > 300
        ):
            raise Unsupported("factorial too large")
        if func is round and len(args) not in (1, 2):
            raise Unsupported("bad round")
        if func is not round and len(args) != 1:
            raise Unsupported("bad arity")
        try:
            return _check_size(func(*args))
        except OverflowError as exc:
            raise Unsupported("overflow") from exc
    raise Unsupported(f"unsupported syntax: {type(node).__name__}")


def _function(node: ast.AST) -> Callable[..., Any]:
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "math"
    ):
        if node.attr in _MATH:
            return _MATH[node.attr]
    if isinstance(node, ast.Name) and node.id in _BUILTINS:
        return _BUILTINS[node.id]
    raise Unsupported("unsupported function")


def evaluate(source: str) -> tuple[str, Any]:
    """Parse and evaluate an arithmetic expression: (canonical source, value).

    Raises Unsupported for anything outside the allowed subset or limits; arithmetic errors
    (ZeroDivisionError, ValueError from math) propagate exactly as Python would raise them.
    """
    if len(source) > _MAX_SOURCE:
        raise Unsupported("expression too long")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise Unsupported("not an expression") from exc
    if sum(1 for _ in ast.walk(tree)) > _MAX_NODES:
        raise Unsupported("expression too complex")
    canonical = ast.unparse(tree)
    return canonical, _eval(tree)


# --- charts -----------------------------------------------------------------------------

_WIDTH, _HEIGHT, _MARGIN = 320, 200, 24
_BACKGROUND = (255, 255, 255)
_AXIS = (95, 99, 104)
_INK = (66, 133, 244)


def _png(pixels: list[bytearray]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + bytes(row) for row in pixels)
    header = struct.pack(">IIBBBBB", _WIDTH, _HEIGHT, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _canvas() -> list[bytearray]:
    rows = [bytearray(_BACKGROUND * _WIDTH) for _ in range(_HEIGHT)]
    for x in range(_MARGIN, _WIDTH - _MARGIN // 2):
        _dot(rows, x, _HEIGHT - _MARGIN, _AXIS)
    for y in range(_MARGIN // 2, _HEIGHT - _MARGIN + 1):
        _dot(rows, _MARGIN, y, _AXIS)
    return rows


def _dot(rows: list[bytearray], x: int, y: int, colour: tuple[int, int, int]) -> None:
    if 0 <= x < _WIDTH and 0 <= y < _HEIGHT:
        rows[y][3 * x : 3 * x + 3] = bytes(colour)


def _line(rows: list[bytearray], x0: int, y0: int, x1: int, y1: int) -> None:
    steps = max(abs(x1 - x0), abs(y1 - y0), 1)
    for i in range(steps + 1):
        x = x0 + (x1 - x0) * i // steps
        y = y0 + (y1 - y0) * i // steps
        _dot(rows, x, y, _INK)
        _dot(rows, x, y + 1, _INK)


def _scale(values: Sequence[float]) -> tuple[float, float]:
    finite = [v for v in values if math.isfinite(v)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    if high == low:
        high = low + 1.0
    return low, high


def line_chart_png(ys: Sequence[float]) -> bytes:
    """A line through the points (evenly spaced in x), axes included."""
    rows = _canvas()
    low, high = _scale(ys)
    plot_w, plot_h = _WIDTH - 2 * _MARGIN, _HEIGHT - 2 * _MARGIN
    points = []
    for i, y in enumerate(ys):
        if not math.isfinite(y):
            continue
        px = _MARGIN + round(i * plot_w / max(len(ys) - 1, 1))
        py = _HEIGHT - _MARGIN - round((y - low) / (high - low) * plot_h)
        points.append((px, py))
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        _line(rows, x0, y0, x1, y1)
    return _png(rows)


def bar_chart_png(values: Sequence[float]) -> bytes:
    """One bar per value, scaled to the largest magnitude, axes included."""
    rows = _canvas()
    low, high = _scale([0.0, *values])
    plot_w, plot_h = _WIDTH - 2 * _MARGIN, _HEIGHT - 2 * _MARGIN
    slot = plot_w / max(len(values), 1)
    zero = _HEIGHT - _MARGIN - round((0 - low) / (high - low) * plot_h)
    for i, value in enumerate(values):
        top = _HEIGHT - _MARGIN - round((value - low) / (high - low) * plot_h)
        left = _MARGIN + round(i * slot + slot * 0.15) + 1
        right = _MARGIN + round((i + 1) * slot - slot * 0.15)
        for y in range(min(top, zero), max(top, zero) + 1):
            for x in range(left, max(right, left + 1)):
                _dot(rows, x, y, _INK)
    return _png(rows)
