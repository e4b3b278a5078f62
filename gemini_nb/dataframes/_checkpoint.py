"""The checkpoint of a DataFrame job: an append-only JSONL file of finished rows.

The first line says what the file is; every other line is one finished row,
``{"k": key, "r": record}``, where the key is the row's index label and a hash of the exact
request (model, contents, config). A rerun after a crash or a restarted kernel reads the keys
(not the records) and skips every row whose key is there: a row is never paid for twice, and a
row whose prompt or config changed is sent again. A line cut short by a crash is dropped.

Each line is flushed as it is written, so a killed process loses at most the rows in flight.
Rows that failed for a passing reason (rate limits, server errors, a lost connection) are not
written, so a rerun tries them again; rows the API refused (400) are kept with their error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import IO, Any

from .._exceptions import InvalidInputError

__all__ = ["MAGIC", "Checkpoint"]

MAGIC = "gemini_nb_checkpoint"
VERSION = 1


class Checkpoint:
    """Open (or create) a checkpoint file; ``key in cp`` and ``cp.get(key)`` for the rows it
    held when opened, ``cp.add(key, record)`` for each row finished now."""

    def __init__(self, path: str | os.PathLike[str], header: dict[str, Any]) -> None:
        self.path = os.fspath(path)
        # Offsets of the rows found on opening; rows added by this run are only counted: the
        # run never reads them back, and 100,000 keys would cost ~20 MB.
        self._offsets: dict[str, int] = {}
        self._added = 0
        folder = os.path.dirname(os.path.abspath(self.path))
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise InvalidInputError(
                f"Cannot create the checkpoint folder {folder!r}: {exc.strerror or exc}."
            ) from None
        if os.path.isdir(self.path):
            raise InvalidInputError(
                f"checkpoint {self.path!r} is a folder; pass the path of a file (…/job.jsonl)."
            )
        end = self._scan() if os.path.exists(self.path) else None
        self._fh: IO[bytes] = open(self.path, "r+b" if end is not None else "wb")  # noqa: SIM115
        if end is None:
            self._write({MAGIC: VERSION, **header})
        else:
            # Drop a line cut short by a crash, so that the next one starts clean.
            self._fh.truncate(end)
            self._fh.seek(end)
        self._reader: IO[bytes] | None = None

    def _scan(self) -> int:
        """Index the keys of an existing file; the offset just after its last whole line."""
        with open(self.path, "rb") as fh:
            first = fh.readline()
            try:
                head = json.loads(first)
            except ValueError:
                head = None
            if not isinstance(head, dict) or MAGIC not in head:
                raise InvalidInputError(
                    f"{self.path!r} is not a gemini-nb checkpoint; pass another path (or delete "
                    "the file if it is yours to lose)."
                )
            end = fh.tell() if first.endswith(b"\n") else 0
            offset = end
            for line in fh:
                if not line.endswith(b"\n"):
                    break
                try:
                    key = json.loads(line)["k"]
                except (ValueError, KeyError, TypeError):
                    break
                self._offsets[key] = offset
                offset += len(line)
                end = offset
        return end

    def _write(self, obj: dict[str, Any]) -> int:
        data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        offset = self._fh.tell()
        self._fh.write(data)
        self._fh.flush()
        return offset

    def __contains__(self, key: str) -> bool:
        return key in self._offsets

    def __len__(self) -> int:
        return len(self._offsets) + self._added

    def keys(self) -> Iterator[str]:
        """The keys found when the file was opened."""
        return iter(self._offsets)

    def get(self, key: str) -> dict[str, Any] | None:
        """The record kept for ``key`` (read from disk), or None."""
        offset = self._offsets.get(key)
        if offset is None:
            return None
        if self._reader is None:
            self._reader = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        self._reader.seek(offset)
        record: dict[str, Any] = json.loads(self._reader.readline())["r"]
        return record

    def add(self, key: str, record: dict[str, Any]) -> None:
        self._write({"k": key, "r": record})
        self._added += 1

    def close(self) -> None:
        self._fh.close()
        if self._reader is not None:
            self._reader.close()

    def __enter__(self) -> Checkpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
