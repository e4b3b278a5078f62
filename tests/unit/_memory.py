"""Finding a secret in memory: every string reachable from an object."""

from __future__ import annotations

import gc
import types
from collections.abc import Iterator

_OPAQUE = (
    type,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.CodeType,
    types.MethodType,
    types.FrameType,
)


def reachable_strings(root: object, limit: int = 50_000) -> Iterator[str | bytes]:
    """Strings and bytes reachable from ``root`` through instances and containers (not through
    classes, modules, functions or frames, which lead to the whole interpreter)."""
    seen: set[int] = set()
    todo = [root]
    while todo and len(seen) < limit:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, _OPAQUE):
            continue
        seen.add(id(obj))
        if isinstance(obj, (str, bytes, bytearray, memoryview)):
            yield obj if isinstance(obj, (str, bytes)) else bytes(obj)
            continue
        todo.extend(gc.get_referents(obj))
        for name in getattr(type(obj), "__slots__", ()):
            if hasattr(obj, name):
                todo.append(getattr(obj, name))


def holding(root: object, secret: str) -> list[str | bytes]:
    """The reachable strings that contain ``secret``."""
    raw = secret.encode()
    return [s for s in reachable_strings(root) if (secret in s if isinstance(s, str) else raw in s)]
