"""Live music (Lyria RealTime) over a real loopback WebSocket to the emulator, with the async
session and the sync facade: prompts and config that the music audibly follows (its tempo
measured), pause, stop and reset, filtered prompts, recording to WAV, bad input refused before
sending, typed closes, reconnects that carry the session's state over, and the key kept out of
sight."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import wave
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import gemini_nb as g
from gemini_nb import types
from gemini_nb.emulator import EmulatorOptions, EmulatorServer
from tests.conftest import TEST_KEY
from tests.emulator.test_music import measured_bpm
from tests.unit._memory import holding

CHUNK = 48_000 * 2 * 2 * 2  # two seconds of 48 kHz stereo PCM16
DRUMS = {"only_bass_and_drums": True, "mute_bass": True}  # a kick on every beat, nothing else


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    # Music as fast as it can be made.
    with EmulatorServer(options=EmulatorOptions(live_pace=0)) as s:
        yield s


@pytest.fixture(autouse=True)
def _fresh(server: EmulatorServer) -> Iterator[None]:
    server.app.faults.clear()
    yield
    server.app.faults.clear()


# ------------------------------------------------------------------ both kinds of session


class Reader:
    """The session's messages, collected as they come by a task (async) or a thread (sync)."""

    def __init__(self) -> None:
        self.messages: list[types.LiveMusicServerMessage] = []
        self.error: BaseException | None = None
        self.done = False

    def chunks(self) -> list[types.AudioChunk]:
        return [c for m in list(self.messages) for c in m.audio_chunks]

    async def until(self, test: Callable[[Reader], bool], timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not test(self):
            if self.error is not None:
                raise self.error
            if self.done:
                raise AssertionError(f"the session ended first ({len(self.messages)} messages)")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out with {len(self.messages)} messages")
            await asyncio.sleep(0.02)

    async def chunks_after(self, start: int, n: int, timeout: float = 20) -> list[types.AudioChunk]:
        await self.until(lambda r: len(r.chunks()) >= start + n, timeout)
        return self.chunks()[start : start + n]


class AsyncSide:
    kind = "async"

    def __init__(self, **client: Any) -> None:
        self.client = g.AsyncClient(**client)

    @contextlib.asynccontextmanager
    async def connect(self, **kw: Any) -> AsyncIterator[AsyncMusic]:
        async with self.client.live.music.connect(**kw) as session:
            music = AsyncMusic(session)
            try:
                yield music
            finally:
                await session.close()
                await music.stopped()


class AsyncMusic:
    def __init__(self, session: Any) -> None:
        self.session = session
        self.reader = Reader()
        self._task: asyncio.Task[None] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)

    def read(self) -> Reader:
        async def run() -> None:
            try:
                async for message in self.session:
                    self.reader.messages.append(message)
            except BaseException as exc:
                self.reader.error = exc
            finally:
                self.reader.done = True

        self._task = asyncio.create_task(run())
        return self.reader

    async def stopped(self) -> None:
        if self._task is not None:
            await asyncio.wait_for(self._task, 10)


class SyncSide:
    kind = "sync"

    def __init__(self, **client: Any) -> None:
        self.client = g.Client(**client)

    @contextlib.asynccontextmanager
    async def connect(self, **kw: Any) -> AsyncIterator[SyncMusic]:
        with self.client.live.music.connect(**kw) as session:
            music = SyncMusic(session)
            try:
                yield music
            finally:
                session.close()
                music.stopped()


class SyncMusic:
    """The sync session, its blocking calls made awaitable (they run on this thread)."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.reader = Reader()
        self._thread: threading.Thread | None = None

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.session, name)
        if name.startswith("set_") or name in ("play", "pause", "stop", "reset_context", "close"):

            async def call(*args: Any, **kw: Any) -> Any:
                return attr(*args, **kw)

            return call
        return attr

    def read(self) -> Reader:
        def run() -> None:
            try:
                for message in self.session:
                    self.reader.messages.append(message)
            except BaseException as exc:
                self.reader.error = exc
            finally:
                self.reader.done = True

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        return self.reader

    def stopped(self) -> None:
        if self._thread is not None:
            self._thread.join(10)
            assert not self._thread.is_alive()


@pytest.fixture(params=["async", "sync"])
def side(request: pytest.FixtureRequest, server: EmulatorServer) -> AsyncSide | SyncSide:
    cls = AsyncSide if request.param == "async" else SyncSide
    return cls(base_url=server.url)


def pcm_of(chunks: list[types.AudioChunk]) -> bytes:
    return b"".join(c.data or b"" for c in chunks)


# ------------------------------------------------------------------ the music


async def test_prompts_and_config_steer_the_music(side: Any) -> None:
    async with side.connect() as music:
        assert music.model == "models/lyria-realtime-exp" and not music.playing
        reader = music.read()
        await music.set_weighted_prompts(
            [
                types.WeightedPrompt(text="minimal techno", weight=1.0),
                {"text": "dark pads", "weight": 0.4},
            ]
        )
        await music.set_music_generation_config(types.LiveMusicGenerationConfig(bpm=90, **DRUMS))
        await music.play()
        assert music.playing
        first = await reader.chunks_after(0, 3)
        for chunk in first:
            assert chunk.mime_type == "audio/l16;rate=48000;channels=2"
            assert len(chunk.data or b"") == CHUNK
            source = chunk.source_metadata
            assert source is not None and source.client_content is not None
            assert [(p.text, p.weight) for p in source.client_content.weighted_prompts or []] == [
                ("minimal techno", 1.0),
                ("dark pads", 0.4),
            ]
            assert source.music_generation_config is not None
            assert source.music_generation_config.bpm == 90
        assert abs(measured_bpm(pcm_of(first)) - 90) <= 3
        assert [p.text for p in music.prompts] == ["minimal techno", "dark pads"]

        # A new tempo (as keywords), then a fresh context as Google's docs ask: the music
        # follows.
        await music.set_music_generation_config(bpm=150, **DRUMS)
        await music.reset_context()
        assert music.config.bpm == 150
        await reader.until(
            lambda r: any(c.source_metadata.music_generation_config.bpm == 150 for c in r.chunks())
        )
        start = next(
            i
            for i, c in enumerate(reader.chunks())
            if c.source_metadata.music_generation_config.bpm == 150
        )
        later = await reader.chunks_after(start, 2)
        assert abs(measured_bpm(pcm_of(later)) - 150) <= 3
        assert music.received_seconds >= 10


async def test_pause_holds_the_music_and_play_resumes_it(side: Any) -> None:
    async with side.connect() as music:
        reader = music.read()
        await music.set_weighted_prompts("warm jazz trio")
        await music.play()
        await reader.chunks_after(0, 2)
        await music.pause()
        assert not music.playing
        await asyncio.sleep(0.3)  # the chunk on its way, if any, arrives
        held = len(reader.chunks())
        await asyncio.sleep(1.2)  # several chunks' worth of synthesis at this pace
        assert len(reader.chunks()) == held
        await music.play()
        await reader.chunks_after(held, 2)


async def test_stop_and_reset_context_start_the_music_afresh(side: Any) -> None:
    # The emulator's music is deterministic: from the start of a context, the same prompts
    # make the same bytes.
    async with side.connect() as music:
        reader = music.read()
        await music.set_weighted_prompts({"lofi hip hop": 1.0})
        await music.set_music_generation_config(seed=7)
        await music.play()
        opening = (await reader.chunks_after(0, 2))[0].data
        await music.stop()
        assert not music.playing
        await asyncio.sleep(0.3)
        stopped_at = len(reader.chunks())
        await music.play()
        again = (await reader.chunks_after(stopped_at, 1))[0].data
        assert again == opening  # STOP cleared the context
        await reader.chunks_after(stopped_at, 3)
        assert reader.chunks()[stopped_at + 1].data != opening  # and the music goes on

        await music.reset_context()  # while playing
        mark = len(reader.chunks())
        await reader.until(lambda r: any(c.data == opening for c in r.chunks()[mark:]))
        assert music.playing


async def test_a_filtered_prompt_is_reported_and_left_out(
    side: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gemini_nb.live.music")
    async with side.connect() as music:
        reader = music.read()
        await music.set_weighted_prompts({"gentle piano": 1.0, "gore": 0.5})
        await reader.until(lambda r: any(m.filtered_prompt for m in r.messages))
        filtered = next(m.filtered_prompt for m in reader.messages if m.filtered_prompt)
        assert filtered.text == "gore" and "filtered" in (filtered.filtered_reason or "")
        assert [f.text for f in music.filtered_prompts] == ["gore"]
        assert any("'gore' was filtered" in r.getMessage() for r in caplog.records)
        await music.play()
        chunk = (await reader.chunks_after(0, 1))[0]
        kept = chunk.source_metadata.client_content.weighted_prompts
        assert [p.text for p in kept] == ["gentle piano"]


async def test_a_session_is_recorded_and_saved_as_wav(side: Any, tmp_path: Path) -> None:
    async with side.connect() as music:
        reader = music.read()
        await music.set_weighted_prompts("bossa nova guitar")
        recorder = music.record()
        assert music.recorder is recorder
        await music.play()
        chunks = await reader.chunks_after(0, 3)
        await music.pause()
        await asyncio.sleep(0.3)
        assert music.stop_recording() is recorder and music.recorder is None
        kept = reader.chunks()
        assert recorder.seconds == pytest.approx(2.0 * len(kept))
        path = recorder.save(tmp_path / "bossa.wav")
        with wave.open(str(path), "rb") as wav:
            assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (48_000, 2, 2)
            assert wav.readframes(wav.getnframes()) == pcm_of(kept)
        assert pcm_of(chunks) == pcm_of(kept)[: 3 * CHUNK]

        # On disk, bounded: the first four seconds are kept, the rest counted.
        with music.record(max_seconds=4, on_disk=True, directory=tmp_path) as disk:
            mark = len(reader.chunks())
            await music.play()
            later = await reader.chunks_after(mark, 3)
            await music.pause()
            assert disk.seconds == 4.0 and disk.dropped_seconds >= 2.0 and disk.full
            raw = disk.save(tmp_path / "first4.pcm")
            assert raw.read_bytes() == pcm_of(later)[: 2 * CHUNK]


async def test_bad_input_is_refused_before_sending(side: Any) -> None:
    async with side.connect() as music:
        reader = music.read()
        bad_calls: list[tuple[str, Any, dict[str, Any], str]] = [
            ("set_music_generation_config", None, {"bpm": 500}, "bpm=500"),
            ("set_music_generation_config", None, {"bpm": 59}, "60 to 200"),
            ("set_music_generation_config", {"scale": "H_MAJOR"}, {}, "scale='H_MAJOR'"),
            ("set_music_generation_config", None, {"density": 1.5}, "density"),
            ("set_music_generation_config", None, {"tempo": 100}, "tempo"),
            ("set_music_generation_config", None, {"music_generation_mode": "LOUD"}, "LOUD"),
            ("set_weighted_prompts", [], {}, "at least one prompt"),
            ("set_weighted_prompts", [("jazz", 0)], {}, "not 0"),
            ("set_weighted_prompts", [{"text": "  "}], {}, "needs a text"),
        ]
        for method, arg, kw, words in bad_calls:
            with pytest.raises(g.InvalidInputError, match=words.replace("(", r"\(")):
                if arg is None:
                    await getattr(music, method)(**kw)
                else:
                    await getattr(music, method)(arg, **kw)
        assert music.prompts is None and music.config is None
        # Nothing reached the server (it would have closed with 1007): the session plays on.
        await music.set_weighted_prompts("ambient drones")
        await music.set_music_generation_config(scale=types.Scale.D_MAJOR_B_MINOR, bpm=60)
        await music.play()
        chunk = (await reader.chunks_after(0, 1))[0]
        assert chunk.source_metadata.music_generation_config.scale == "D_MAJOR_B_MINOR"


async def test_a_model_without_live_music_is_refused_at_connect(side: Any) -> None:
    with pytest.raises(g.LiveSetupError) as info:
        async with side.connect(model="gemini-2.5-flash"):
            pass
    assert info.value.code == 1008 and not info.value.resumable
    assert "bidiGenerateMusic" in str(info.value)
    with pytest.raises(g.InvalidInputError):
        async with side.connect(model="not a model"):
            pass


# ------------------------------------------------------------------ closes and reconnects


async def test_a_1011_close_reconnects_with_the_session_state(
    side: Any, server: EmulatorServer
) -> None:
    server.app.faults.add({"live": {"close_code": 1011, "close_after_ms": 1200}})
    async with side.connect() as music:
        server.app.faults.clear()  # only the first connection closes
        reader = music.read()
        await music.set_weighted_prompts({"funk bass": 1.0})
        await music.set_music_generation_config(bpm=110, **DRUMS)
        await music.play()
        await reader.until(lambda r: any(m.reconnect for m in r.messages))
        index = next(i for i, m in enumerate(reader.messages) if m.reconnect)
        event = reader.messages[index].reconnect
        assert event.reason == "connection_closed" and event.close_code == 1011
        assert event.resent == 3 and event.count == 1 and music.reconnects == 1
        assert reader.messages[index].audio is None
        # The new connection plays the same music, from a fresh context.
        await reader.until(lambda r: sum(bool(m.audio) for m in r.messages[index:]) >= 2)
        after = [c for m in reader.messages[index:] for c in m.audio_chunks]
        assert after[0].source_metadata.music_generation_config.bpm == 110
        assert abs(measured_bpm(pcm_of(after[:2])) - 110) <= 3
        assert reader.error is None and not music.closed


async def test_without_reconnect_a_1011_close_is_an_error(
    side: Any, server: EmulatorServer
) -> None:
    server.app.faults.add({"live": {"close_code": 1011, "close_after_ms": 300}})
    async with side.connect(reconnect=False) as music:
        reader = music.read()
        await music.set_weighted_prompts("sea shanty")
        await reader.until(lambda r: r.done)
        assert isinstance(reader.error, g.LiveConnectionClosed)
        assert reader.error.code == 1011 and not reader.error.resumable
        assert "send the prompts and config again" in str(reader.error)
        assert music.closed
        with pytest.raises(g.LiveSessionClosedError):
            await music.play()


async def test_a_1008_close_while_playing_is_an_error(side: Any, server: EmulatorServer) -> None:
    server.app.faults.add({"live": {"close_code": 1008, "close_after_ms": 300}})
    async with side.connect() as music:
        reader = music.read()
        await music.set_weighted_prompts("march")
        await music.play()
        await reader.until(lambda r: r.done)
        assert isinstance(reader.error, g.LiveConnectionClosed)
        assert reader.error.code == 1008 and music.reconnects == 0


async def test_a_normal_close_ends_iteration_without_error(
    side: Any, server: EmulatorServer
) -> None:
    server.app.faults.add({"live": {"close_code": 1000, "close_after_ms": 300}})
    async with side.connect() as music:
        reader = music.read()
        await music.set_weighted_prompts("lullaby")
        await reader.until(lambda r: r.done)
        assert reader.error is None and music.closed
        with pytest.raises(g.LiveSessionClosedError, match="closed it normally"):
            await music.pause()


async def test_close_ends_a_reader_and_later_calls_raise(side: Any) -> None:
    async with side.connect() as music:
        reader = music.read()
        await music.set_weighted_prompts("harp")
        await music.play()
        await reader.chunks_after(0, 1)
        await music.close()
        await reader.until(lambda r: r.done)
        assert reader.error is None
        with pytest.raises(g.LiveSessionClosedError):
            await music.set_weighted_prompts("more harp")


async def test_one_reader_at_a_time(server: EmulatorServer) -> None:
    async with g.AsyncClient(base_url=server.url).live.music.connect() as session:
        first = asyncio.create_task(session.__aiter__().__anext__())
        await asyncio.sleep(0.1)
        with pytest.raises(RuntimeError, match="already reading"):
            await session.receive().__anext__()
        first.cancel()


async def test_audio_streams_only_the_audio(server: EmulatorServer) -> None:
    client = g.AsyncClient(base_url=server.url)
    async with client.live.music.connect() as session:
        await session.set_weighted_prompts({"gore": 1.0, "steel drums": 0.5})
        await session.play()
        got = []
        async for pcm in session.audio():
            got.append(pcm)
            if len(got) == 2:
                break
        assert [len(p) for p in got] == [CHUNK, CHUNK]
        assert [f.text for f in session.filtered_prompts] == ["gore"]  # taken in on the way
    sync = g.Client(base_url=server.url)
    with sync.live.music.connect() as s:
        s.set_weighted_prompts("steel drums")
        s.play()
        recorder = s.record()
        audio = next(iter(s.audio()))
        assert len(audio) == CHUNK and recorder.seconds == 2.0
        assert s.playing and s.received_seconds == 2.0 and "MusicSession(" in repr(s)


async def test_the_key_stays_out_of_sight(
    keyed_emulator: Any, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG, logger="websockets.client")
    caplog.set_level(logging.DEBUG, logger="gemini_nb")
    client = g.AsyncClient(api_key=TEST_KEY, base_url=keyed_emulator.url)
    async with client.live.music.connect() as session:
        await session.set_weighted_prompts("organ")
        recorder = session.record()
        await session.play()
        async for _ in session.audio():
            break
        for text in (repr(session), repr(recorder), repr(client.live.music)):
            assert TEST_KEY not in text
        assert holding(session, TEST_KEY) == []
    ours = "\n".join(
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(("websockets.client", "gemini_nb"))
    )
    assert "x-goog-api-key: ***" in ours.lower()
    wrong = "AIzaWRONG-0123456789abcdefghijklmnopq"
    with pytest.raises(g.LiveSetupError) as info:
        async with g.AsyncClient(api_key=wrong, base_url=keyed_emulator.url).live.music.connect():
            pass
    assert info.value.code == 1008
    ours = "\n".join(
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(("websockets.client", "gemini_nb"))
    )
    for text in (str(info.value), repr(info.value), info.value.reason, ours):
        assert TEST_KEY not in text and wrong not in text
    with g.Client(api_key=TEST_KEY, base_url=keyed_emulator.url).live.music.connect() as sync:
        assert TEST_KEY not in repr(sync) and holding(sync, TEST_KEY) == []
