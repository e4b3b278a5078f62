"""Where the shared reference material lives (``../shared`` beside the project root)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GEMINI_NB_SHARED", ROOT.parent / "shared"))
RECORDED = SHARED / "recorded"
REFERENCE = SHARED / "reference"

needs_recorded = pytest.mark.skipif(
    not (RECORDED / "index.json").exists(),
    reason=f"the recorded exchanges are not at {RECORDED} (set GEMINI_NB_SHARED)",
)
needs_reference = pytest.mark.skipif(
    not REFERENCE.exists(),
    reason=f"the API reference is not at {REFERENCE} (set GEMINI_NB_SHARED)",
)
