"""The input files of batch jobs, written as a stream.

Each request becomes one line, ``{"key": "<row position>", "request": {...}}``, appended to a
file on disk as soon as it is made, so the whole file is never in memory. When the next line
would take a file past a batch job's limits (the request count, or the 2 GB a file may hold), a
new file is started: each file becomes one job, and the rows of a file are contiguous.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import IO, Any

__all__ = ["MAX_JOB_BYTES", "MAX_JOB_REQUESTS", "JobFile", "JsonlWriter"]

# The Batch API's input file limit (2 GB), less room for the upload's own framing.
MAX_JOB_BYTES = 2_000_000_000
# Not an API limit: jobs of this size stay under the enqueued-token quotas of most tiers and
# finish (and can be retried) in pieces.
MAX_JOB_REQUESTS = 50_000


@dataclass(frozen=True)
class JobFile:
    """One input file: rows ``first`` to ``first + count - 1``, its size and SHA-256."""

    path: str
    first: int
    count: int
    size: int
    sha256: str


class JsonlWriter:
    """Append request lines; ``close()`` gives the files written, in row order.

    >>> w = JsonlWriter(folder, max_requests=2)          # doctest: +SKIP
    >>> for i, req in enumerate(requests): w.add(i, req)  # doctest: +SKIP
    >>> files = w.close()                                 # doctest: +SKIP
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        prefix: str = "batch",
        max_requests: int = MAX_JOB_REQUESTS,
        max_bytes: int = MAX_JOB_BYTES,
    ) -> None:
        if max_requests < 1 or max_bytes < 1:
            raise ValueError("max_requests and max_bytes must be at least 1")
        self.folder = os.fspath(folder)
        self.prefix = prefix
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self.files: list[JobFile] = []
        self._fh: IO[bytes] | None = None
        self._path = ""
        self._first = self._count = self._size = 0
        self._hash = hashlib.sha256()
        self._next = 0  # the position the next line must have (rows go in order)

    def add(self, position: int, request: dict[str, Any]) -> None:
        if position != self._next:
            raise ValueError(f"rows must be added in order: expected {self._next}, got {position}")
        line = (
            json.dumps(
                {"key": str(position), "request": request},
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
            + b"\n"
        )
        if len(line) > self.max_bytes:
            from .._exceptions import InvalidInputError

            raise InvalidInputError(
                f"The request of row {position} is {len(line):,} bytes, more than a batch "
                f"input file may hold ({self.max_bytes:,}); upload its media with "
                "client.files.upload and refer to the file instead."
            )
        if self._fh is not None and (
            self._count >= self.max_requests or self._size + len(line) > self.max_bytes
        ):
            self._finish()
        if self._fh is None:
            self._path = os.path.join(self.folder, f"{self.prefix}-{len(self.files):04d}.jsonl")
            self._fh = open(self._path, "wb")  # noqa: SIM115 - closed by _finish
            self._first, self._count, self._size = position, 0, 0
            self._hash = hashlib.sha256()
        self._fh.write(line)
        self._hash.update(line)
        self._count += 1
        self._size += len(line)
        self._next += 1

    def _finish(self) -> None:
        assert self._fh is not None
        self._fh.close()
        self._fh = None
        self.files.append(
            JobFile(self._path, self._first, self._count, self._size, self._hash.hexdigest())
        )

    def close(self) -> list[JobFile]:
        if self._fh is not None:
            self._finish()
        return self.files
