"""A DataFrame in, a DataFrame out: one prompt over every row, online or as batch jobs.

>>> out = client.dataframes.generate(
...     df, prompt="Classify this review: {review}", model="gemini-2.5-flash",
...     config={"system_instruction": "Be terse.", "response_schema": Verdict},
... )                                                                      # doctest: +SKIP
>>> out[["review", "label", "confidence", "finish_reason", "output_tokens", "error"]]  # doctest: +SKIP
>>> client.dataframes.generate(df, ..., engine="batch")      # half price, hours not seconds  # doctest: +SKIP
>>> client.dataframes.embed(df, prompt="{title}", model="gemini-embedding-001")      # doctest: +SKIP
>>> client.dataframes.estimate(df, prompt=..., model=..., engine="batch", output_tokens=20)  # doctest: +SKIP

Why a resource of the client (``client.dataframes``) and not a free function: a job needs
everything a client holds (key, base URL, retries, the async twin), and it sits beside
``client.batches``, which the batch engine uses. Both engines give the same columns: the
input's (``keep_input=False`` drops them), one per field of a pydantic ``response_schema``
(typed: Int64, Float64, boolean, string), then ``text``, ``finish_reason``,
``prompt_tokens``, ``output_tokens``, ``thinking_tokens``, ``total_tokens`` and ``error``
(``embedding`` and ``error`` for embeddings). Every input row gets exactly one output row, with
its index, in input order.

The pieces (:class:`PromptTemplate`, :class:`RateLimiter`, :class:`Checkpoint`,
:class:`JsonlWriter`) are public for tests and for building other pipelines.
"""

from __future__ import annotations

from ._api import AsyncDataFrames, DataFrames
from ._checkpoint import Checkpoint
from ._jsonl import MAX_JOB_BYTES, MAX_JOB_REQUESTS, JobFile, JsonlWriter
from ._limiter import RateLimiter
from ._template import PromptTemplate

__all__ = [
    "MAX_JOB_BYTES",
    "MAX_JOB_REQUESTS",
    "AsyncDataFrames",
    "Checkpoint",
    "DataFrames",
    "JobFile",
    "JsonlWriter",
    "PromptTemplate",
    "RateLimiter",
]
