"""On-demand benchmark: gemini-nb against google-genai and raw httpx on the same wire work.

Run it from the repository root with ``python -m bench`` (``--help`` for options); results
measured on a reference machine are in ``bench/RESULTS.md``. Not part of the test suite.
"""

from __future__ import annotations

__all__ = ["GROUPS", "ROWS"]

# --only names, in the order they run.
GROUPS = (
    "floor",
    "call",
    "concurrent",
    "stream",
    "ttfc",
    "list",
    "memory",
    "import",
    "tokens",
    "upload",
    "voice",
    "file_search",
    "dataframes",
)

# Every row key a full run reports (the smoke test checks they are all printed).
ROWS = (
    "call_sync",
    "call_async",
    "concurrent",
    "concurrent_rate",
    "stream_sync",
    "stream_async",
    "ttfc_sync",
    "ttfc_async",
    "list_50",
    "list_1000",
    "import_httpx",
    "import_gemini_nb",
    "import_client",
    "import_genai",
    "load_ext",
    "mem_stream",
    "mem_list",
    "tokens_local_batch",
    "tokens_local_call",
    "tokens_api",
    "tokens_agreement",
    "upload_speed",
    "upload_rss",
    "voice_relay",
    "fss_import",
    "fss_query",
    "fss_rss",
    "df_online_rate",
    "df_online_rss",
    "df_batch_prep",
)
