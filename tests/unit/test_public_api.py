"""The public namespace is exactly what __all__ says, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import gemini_nb
import gemini_nb.types


def test_all_names_resolve() -> None:
    for name in gemini_nb.__all__:
        assert getattr(gemini_nb, name) is not None, name
    for name in gemini_nb.types.__all__:
        assert getattr(gemini_nb.types, name) is not None, name


def test_public_names_match_all() -> None:
    public = {n for n in dir(gemini_nb.types) if not n.startswith("_")}
    modules = {
        "auth_tokens",
        "batches",
        "caches",
        "content",
        "file_search",
        "files",
        "generation",
        "http",
        "live",
        "live_music",
        "media",
        "models",
        "operations",
        "responses",
        "tokens",
        "tools",
        "tunings",
    }
    assert public - modules - {"annotations"} == set(gemini_nb.types.__all__)
    assert sorted(gemini_nb.__all__) == gemini_nb.__all__


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


HEAVY = (
    "pandas",
    "IPython",
    "ipywidgets",
    "anywidget",
    "websockets",
    "starlette",
    "uvicorn",
    "gemini_nb.emulator",
    "gemini_nb.notebook",
    "PIL",
    "numpy",
)


def test_import_is_light() -> None:
    mods = _modules_after("import gemini_nb")
    assert not [m for m in mods if m.split(".")[0] in {"httpx", "pydantic"} or m.startswith(HEAVY)]


def test_client_import_loads_no_heavy_modules() -> None:
    mods = _modules_after("from gemini_nb import Client\nClient(base_url='http://127.0.0.1:9')")
    assert not [m for m in mods if m.startswith(HEAVY)]


def test_live_types_and_resources_load_no_websockets() -> None:
    # websockets (the "live" extra) is imported when a session connects, not before.
    mods = _modules_after(
        "from gemini_nb import AsyncClient, Client, types\n"
        "c = Client(base_url='http://127.0.0.1:9')\n"
        "c.live, c.auth_tokens, c.aio.live, c.aio.auth_tokens\n"
        "types.LiveConnectConfig(response_modalities=['AUDIO']), types.LiveServerMessage, types.AuthToken"
    )
    assert "gemini_nb.resources.live" in mods
    assert not [m for m in mods if m.startswith("websockets")]


def test_live_music_types_and_resources_load_no_websockets() -> None:
    mods = _modules_after(
        "from gemini_nb import Client, types\n"
        "c = Client(base_url='http://127.0.0.1:9')\n"
        "c.live.music, c.aio.live.music\n"
        "types.WeightedPrompt(text='jazz'), types.LiveMusicGenerationConfig(bpm=90)\n"
        "types.MusicRecorder().add(bytes(8))"
    )
    assert "gemini_nb.resources.live_music" in mods
    assert not [m for m in mods if m.startswith(("websockets", "gemini_nb.notebook"))]
    assert "gemini_nb.types.live_music" not in _modules_after("import gemini_nb.types")


def test_live_types_are_not_loaded_with_the_other_types() -> None:
    mods = _modules_after("import gemini_nb.types")
    assert "gemini_nb.types.live" not in mods and "gemini_nb.types.auth_tokens" not in mods


def test_media_types_and_methods_load_no_pillow_or_av() -> None:
    # Pictures, videos and sound are plain bytes until a PIL image is asked for.
    mods = _modules_after(
        "from gemini_nb import Client, types\n"
        "c = Client(base_url='http://127.0.0.1:9')\n"
        "c.models.generate_images, c.models.generate_videos\n"
        "types.Audio(bytes(4800), 'audio/L16;codec=pcm;rate=24000').wav\n"
        "repr(types.Image(image_bytes=bytes(range(8)), mime_type='image/png'))"
    )
    assert not [
        m
        for m in mods
        if m.split(".")[0] in ("PIL", "av")
        or m.startswith(("gemini_nb.notebook", "gemini_nb.emulator"))
    ]


def test_file_search_stores_load_no_pypdf_or_pandas() -> None:
    mods = _modules_after(
        "from gemini_nb import Client\n"
        "c = Client(base_url='http://127.0.0.1:9')\n"
        "c.file_search_stores.documents, c.aio.file_search_stores.documents"
    )
    assert not [m for m in mods if m.split(".")[0] in ("pypdf", "pandas") or m.startswith(HEAVY)]
    # The emulator reads PDFs with pypdf only when a PDF arrives.
    mods = _modules_after("import gemini_nb.emulator.backends.file_search")
    assert "pypdf" not in mods
