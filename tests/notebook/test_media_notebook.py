"""notebooks/media.ipynb, as saved: every output within the media size bound, the gallery's
saved state only thumbnails, and the whole notebook small."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

from gemini_nb.notebook._render_media import media_settings

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "media.ipynb"
DATA_URI = re.compile(r"data:[a-z]+/[a-z0-9.+-]+;base64,([A-Za-z0-9+/=]+)")


def _outputs() -> list[tuple[str, dict[str, Any]]]:
    nb = json.loads(NOTEBOOK.read_text())
    return [
        ("".join(c["source"]), o)
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
    ]


def test_every_embedded_media_is_within_the_bound() -> None:
    limit = media_settings.inline_limit
    found = 0
    for source, output in _outputs():
        text = json.dumps(output)
        for encoded in DATA_URI.findall(text):
            found += 1
            assert len(base64.b64decode(encoded)) <= limit, source
        # One output: its media (base64, a third larger) plus a little HTML.
        assert len(text) < limit * 4 // 3 * 2 + 20_000, source
    assert found >= 10  # pictures, a gallery's thumbnails, a video and sound


def test_the_gallery_saves_thumbnails_only_and_the_notebook_is_small() -> None:
    nb = json.loads(NOTEBOOK.read_text())
    state = json.dumps(nb["metadata"].get("widgets", {}))
    thumbs = DATA_URI.findall(state)
    assert all(len(base64.b64decode(t)) < 40_000 for t in thumbs)
    assert NOTEBOOK.stat().st_size < 1_000_000
    # The sound larger than the bound is a file beside the notebook, played from there.
    pages = ["".join(o.get("data", {}).get("text/html", "")) for _, o in _outputs()]
    assert any(
        '<audio class="gnb-audio" controls preload="metadata" src="gemini_media/' in page
        for page in pages
    )
