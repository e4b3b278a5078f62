"""Where rows come from and where results go, a partition at a time.

Inputs: a pandas DataFrame (sliced), a Parquet file or a folder of them (read one row group
batch at a time with pyarrow, files in name order), or a CSV file (read in chunks). Rows read
from a file are numbered from 0 across the whole input, and that number is their index.

Outputs: one DataFrame (the partitions concatenated), or Parquet files written partition by
partition into a folder (``part-00000.parquet``, …), so that neither the input nor the results
need to fit in memory.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._exceptions import InvalidInputError
from .._optional import missing_dependency

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FrameSink", "ParquetSink", "Source", "open_source"]


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise missing_dependency("DataFrame jobs", "pandas", "notebook") from None
    return pd


def _pyarrow_parquet() -> Any:
    try:
        # Through importlib: pyarrow ships no type information.
        pq = importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise missing_dependency("Parquet input and output", "pyarrow", "notebook") from None
    return pq


class Source:
    """Rows to process: ``columns``, ``total`` (None if unknown before reading) and
    ``partitions(rows)``, which yields ``(position of the first row, DataFrame)``."""

    columns: list[Any]
    total: int | None
    in_memory: bool = False

    def partitions(self, rows: int) -> Iterator[tuple[int, pd.DataFrame]]:
        raise NotImplementedError


class FrameSource(Source):
    in_memory = True

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.columns = list(frame.columns)
        self.total = len(frame)

    def partitions(self, rows: int) -> Iterator[tuple[int, pd.DataFrame]]:
        for start in range(0, len(self.frame), rows):
            yield start, self.frame.iloc[start : start + rows]


class ParquetSource(Source):
    def __init__(self, paths: list[str]) -> None:
        pq = _pyarrow_parquet()
        self.paths = paths
        self._files = [pq.ParquetFile(p) for p in paths]
        schema = self._files[0].schema_arrow
        self.columns = [n for n in schema.names if not n.startswith("__index_level_")]
        self.total = sum(f.metadata.num_rows for f in self._files)

    def partitions(self, rows: int) -> Iterator[tuple[int, pd.DataFrame]]:
        pd = _pandas()
        start = 0
        for f in self._files:
            for batch in f.iter_batches(batch_size=rows, columns=self.columns):
                frame = batch.to_pandas(ignore_metadata=True)
                frame.index = pd.RangeIndex(start, start + len(frame))
                yield start, frame
                start += len(frame)


class CsvSource(Source):
    def __init__(self, path: str, read_csv: dict[str, Any]) -> None:
        pd = _pandas()
        self.path = path
        self.options = read_csv
        self.columns = list(pd.read_csv(path, nrows=0, **read_csv).columns)
        self.total = None

    def partitions(self, rows: int) -> Iterator[tuple[int, pd.DataFrame]]:
        pd = _pandas()
        start = 0
        with pd.read_csv(self.path, chunksize=rows, **self.options) as reader:
            for frame in reader:
                frame.index = pd.RangeIndex(start, start + len(frame))
                yield start, frame
                start += len(frame)


def open_source(data: Any, read_csv: dict[str, Any] | None = None) -> Source:
    """A source from a DataFrame, a Series (one column), or the path of a Parquet file, a
    folder of Parquet files, or a CSV file."""
    pd = _pandas()
    if isinstance(data, pd.Series):
        data = data.to_frame(name=data.name if data.name is not None else "text")
    if isinstance(data, pd.DataFrame):
        return FrameSource(data)
    if isinstance(data, (str, os.PathLike)):
        path = os.fspath(data)
        if not isinstance(path, str):
            path = os.fsdecode(path)
        if os.path.isdir(path):
            files = sorted(
                os.path.join(path, n) for n in os.listdir(path) if n.endswith(".parquet")
            )
            if not files:
                raise InvalidInputError(f"The folder {path!r} holds no .parquet file.")
            return ParquetSource(files)
        if not os.path.exists(path):
            raise InvalidInputError(
                f"No such file: {path!r} (relative paths start at {os.getcwd()!r})."
            )
        lower = path.lower()
        if lower.endswith((".parquet", ".pq")):
            return ParquetSource([path])
        if lower.endswith((".csv", ".csv.gz", ".tsv")):
            options = dict(read_csv or {})
            if lower.endswith(".tsv"):
                options.setdefault("sep", "\t")
            return CsvSource(path, options)
        raise InvalidInputError(
            f"Cannot read {path!r}: pass a .parquet or .csv file, a folder of .parquet files, "
            "or a DataFrame."
        )
    raise InvalidInputError(
        f"data must be a DataFrame, a Series, or the path of a Parquet or CSV file, not "
        f"{type(data).__name__}."
    )


class FrameSink:
    """Results kept in memory, concatenated at the end."""

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []

    def write(self, frame: pd.DataFrame) -> None:
        self._parts.append(frame)

    def result(self, empty: pd.DataFrame) -> pd.DataFrame:
        pd = _pandas()
        if not self._parts:
            return empty
        if len(self._parts) == 1:
            return self._parts[0]
        return pd.concat(self._parts, axis=0)


class ParquetSink:
    """Results written into ``folder`` as ``part-00000.parquet``, ``part-00001.parquet``, …"""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        _pyarrow_parquet()
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise InvalidInputError(f"output {str(self.folder)!r} is a file; pass a folder.")
        self.folder.mkdir(parents=True, exist_ok=True)
        stale = sorted(self.folder.glob("part-*.parquet"))
        if stale:
            raise InvalidInputError(
                f"The output folder {str(self.folder)!r} already holds results "
                f"({stale[0].name}, …); pass an empty or new folder."
            )
        self.count = 0

    def write(self, frame: pd.DataFrame) -> None:
        frame.to_parquet(self.folder / f"part-{self.count:05d}.parquet", index=True)
        self.count += 1

    def result(self, empty: pd.DataFrame) -> Path:
        if self.count == 0:
            self.write(empty)
        return self.folder
