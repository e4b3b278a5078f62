"""The Live API over a real loopback WebSocket to the emulator, with the async session and the
sync facade: text and audio turns, tools run automatically, resumption, reconnects after
closes and goAway with no turn lost, normal closes, refused setups, bad input, ephemeral
tokens, and the key kept out of sight."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import struct
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import gemini_nb as g
from gemini_nb import types
from gemini_nb.emulator import EmulatorOptions, EmulatorServer
from tests.conftest import TEST_KEY
from tests.unit._memory import holding

MODEL = "gemini-2.5-flash-native-audio-latest"
TEXT = {"response_modalities": ["TEXT"]}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    # Audio answers as fast as they can be made.
    with EmulatorServer(options=EmulatorOptions(live_pace=0)) as s:
        yield s


@pytest.fixture(autouse=True)
def _fresh(server: EmulatorServer) -> Iterator[None]:
    server.app.faults.clear()
    server.app.answers.clear()
    yield
    server.app.faults.clear()
    server.app.answers.clear()


def tone(seconds: float, rate: int = 16_000, amplitude: int = 8000) -> bytes:
    n = int(seconds * rate)
    return struct.pack(
        f"<{n}h", *(int(amplitude * math.sin(2 * math.pi * 220 * i / rate)) for i in range(n))
    )


def silence(seconds: float, rate: int = 16_000) -> bytes:
    return b"\x00\x00" * int(seconds * rate)


def pcm(data: bytes, rate: int = 16_000) -> types.Blob:
    return types.Blob(data=data, mime_type=f"audio/pcm;rate={rate}")


# ------------------------------------------------------------------ both kinds of session


class AsyncSide:
    kind = "async"

    def __init__(self, **client: Any) -> None:
        self.client = g.AsyncClient(**client)

    @contextlib.asynccontextmanager
    async def connect(self, **kw: Any) -> AsyncIterator[Any]:
        async with self.client.live.connect(model=kw.pop("model", MODEL), **kw) as session:
            yield AsyncSessionSide(session)

    async def create_token(self, **config: Any) -> Any:
        return await self.client.auth_tokens.create(config=config)


class AsyncSessionSide:
    def __init__(self, session: Any) -> None:
        self.session = session

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)

    async def turn(self) -> list[types.LiveServerMessage]:
        return [m async for m in self.session.receive()]

    async def until(self, test: Any) -> types.LiveServerMessage:
        async for message in self.session.receive():
            if test(message):
                return message
        raise AssertionError("the turn ended first")

    async def all(self) -> list[types.LiveServerMessage]:
        return [m async for m in self.session]


class SyncSide:
    kind = "sync"

    def __init__(self, **client: Any) -> None:
        self.client = g.Client(**client)

    @contextlib.asynccontextmanager
    async def connect(self, **kw: Any) -> AsyncIterator[Any]:
        with self.client.live.connect(model=kw.pop("model", MODEL), **kw) as session:
            yield SyncSessionSide(session)

    async def create_token(self, **config: Any) -> Any:
        return self.client.auth_tokens.create(config=config)


class SyncSessionSide:
    def __init__(self, session: Any) -> None:
        self.session = session

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.session, name)
        if name.startswith("send_") or name == "close":

            async def call(*args: Any, **kw: Any) -> Any:
                return attr(*args, **kw)

            return call
        return attr

    async def turn(self) -> list[types.LiveServerMessage]:
        return list(self.session.receive())

    async def until(self, test: Any) -> types.LiveServerMessage:
        for message in self.session.receive():
            if test(message):
                return message
        raise AssertionError("the turn ended first")

    async def all(self) -> list[types.LiveServerMessage]:
        return list(self.session)


@pytest.fixture(params=["async", "sync"])
def side(request: pytest.FixtureRequest, server: EmulatorServer) -> AsyncSide | SyncSide:
    cls = AsyncSide if request.param == "async" else SyncSide
    return cls(base_url=server.url)


def text_of(messages: list[types.LiveServerMessage]) -> str:
    return "".join(m.text or "" for m in messages)


# ------------------------------------------------------------------ turns


async def test_a_text_turn(side: Any) -> None:
    async with side.connect(config={**TEXT, "system_instruction": "Be brief."}) as session:
        assert session.setup_complete is not None and session.model == f"models/{MODEL}"
        await session.send_client_content(turns="Say a short greeting.")
        messages = await side_turn(session)
        assert text_of(messages).strip()
        assert messages[-1].turn_complete
        usage = messages[-1].usage_metadata
        assert usage is not None and usage.total_token_count == (
            usage.prompt_token_count + usage.response_token_count
        )
        # receive() stopped at the end of the turn; the handle comes next.
        await session.send_realtime_input(text="And another.")
        second = await side_turn(session)
        assert second[0].session_resumption_update is not None and text_of(second).strip()
        assert session.resumption_handle == second[0].session_resumption_update.new_handle


async def side_turn(session: Any) -> list[types.LiveServerMessage]:
    return await asyncio.wait_for(session.turn(), 20)


async def test_an_audio_turn_with_a_generated_tone(side: Any) -> None:
    config = {
        "response_modalities": ["AUDIO"],
        "speech_config": "Kore",
        "input_audio_transcription": {},
        "output_audio_transcription": {},
    }
    speech = silence(0.3) + tone(0.8) + silence(1.0)
    async with side.connect(config=config) as session:
        for start in range(0, len(speech), 3200):  # 0.1 s chunks, as a microphone sends them
            await session.send_realtime_input(audio=pcm(speech[start : start + 3200]))
        messages = await side_turn(session)
        heard = [
            m.server_content.input_transcription.text
            for m in messages
            if m.server_content and m.server_content.input_transcription
        ]
        assert heard == ["[speech, 0.8 s]"]
        audio = b"".join(m.data or b"" for m in messages)
        mimes = {
            p.inline_data.mime_type
            for m in messages
            if m.server_content and m.server_content.model_turn
            for p in m.server_content.model_turn.parts
            if p.inline_data
        }
        assert mimes == {"audio/pcm;rate=24000"}
        seconds = len(audio) / 2 / 24_000
        assert seconds > 0.5 and len(audio) % 2 == 0
        said = "".join(
            m.server_content.output_transcription.text
            for m in messages
            if m.server_content and m.server_content.output_transcription
        )
        assert said.strip()
        usage = messages[-1].usage_metadata
        assert usage is not None and usage.response_tokens_details is not None
        assert usage.response_tokens_details[0].modality == "AUDIO"


# ------------------------------------------------------------------ tools


def get_weather(city: str) -> str:
    """The weather in a city.

    Args:
        city: The city's name.
    """
    return f"Foggy, 12 C in {city}."


def get_forecast(city: str) -> str:
    """Tomorrow's weather in a city."""
    raise RuntimeError(f"no forecast for {city} today")


async def test_python_tools_run_automatically(side: Any) -> None:
    async with side.connect(config={**TEXT, "tools": [get_weather]}) as session:
        await session.send_client_content(turns="What is the weather in Paris?")
        messages = await side_turn(session)
        [call] = [m for m in messages if m.tool_call]
        assert call.handled
        [fc] = call.tool_call.function_calls
        assert fc.name == "get_weather" and fc.args == {"city": "Paris"}
        [response] = call.function_responses
        assert response.id == fc.id and response.response == {"result": "Foggy, 12 C in Paris."}
        assert messages[-1].turn_complete and text_of(messages).strip()


async def test_a_tool_that_raises_answers_the_model_with_the_error(side: Any) -> None:
    async with side.connect(config={**TEXT, "tools": [get_forecast]}) as session:
        await session.send_client_content(turns="What is the forecast for Rome?")
        messages = await side_turn(session)
        [call] = [m for m in messages if m.tool_call]
        assert call.handled
        [response] = call.function_responses
        assert response.response == {"error": "RuntimeError: no forecast for Rome today"}
        assert messages[-1].turn_complete


async def test_declared_tools_come_to_you(side: Any) -> None:
    declaration = {
        "function_declarations": [
            {
                "name": "get_weather",
                "description": "The weather in a city.",
                "parameters": {
                    "type": "OBJECT",
                    "properties": {"city": {"type": "STRING"}},
                    "required": ["city"],
                },
            }
        ]
    }
    async with side.connect(config={**TEXT, "tools": [declaration]}) as session:
        await session.send_client_content(turns="What is the weather in London?")
        call = await asyncio.wait_for(session.until(lambda m: m.tool_call), 20)
        assert not call.handled and call.function_responses is None
        [fc] = call.tool_call.function_calls
        await session.send_tool_response(
            function_responses=[
                types.FunctionResponse(id=fc.id, name=fc.name, response={"output": "Sunny."})
            ]
        )
        rest = await side_turn(session)
        assert rest[-1].turn_complete and text_of(rest).strip()
        with pytest.raises(g.InvalidInputError, match="has no id"):
            await session.send_tool_response(
                function_responses={"name": "get_weather", "response": {}}
            )


async def test_a_reconnect_during_a_tool_call_runs_it_again_and_answers_once(
    server: EmulatorServer,
) -> None:
    calls: list[str] = []
    cancelled: list[str] = []

    async def slow_weather(city: str) -> str:
        """The weather in a city."""
        calls.append(city)
        if len(calls) == 1:  # the connection closes while the first call runs
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                cancelled.append(city)
                raise
        return f"Foggy in {city}."

    server.app.faults.add({"live": {"close_code": 1011, "close_after_ms": 300}})
    client = g.AsyncClient(base_url=server.url)
    async with client.live.connect(
        model=MODEL, config={**TEXT, "tools": [slow_weather]}
    ) as session:
        await session.send_client_content(turns="What is the weather in Oslo?")
        messages = [m async for m in session.receive()]
    tool_calls = [m for m in messages if m.tool_call]
    assert [m.reconnect.reason for m in messages if m.reconnect] == ["connection_closed"]
    assert len(tool_calls) == 2 and all(m.handled for m in tool_calls)
    # The first call belonged to the connection that went: cancelled, its answer never sent
    # (the new connection would have closed with 1007 for an unknown call id).
    assert calls == ["Oslo", "Oslo"] and cancelled == ["Oslo"]
    assert tool_calls[0].function_responses is None
    assert tool_calls[1].function_responses[0].response == {"result": "Foggy in Oslo."}
    assert messages[-1].turn_complete and text_of(messages).strip()


# ------------------------------------------------------------------ resumption


async def test_resumption_with_a_handle(side: Any) -> None:
    async with side.connect(config=TEXT) as session:
        await session.send_client_content(turns="My name is Ada.")
        await side_turn(session)
        await session.send_client_content(turns="I live in Paris.")
        await side_turn(session)
        handle = session.resumption_handle
        assert handle
    async with side.connect(config={**TEXT, "session_resumption": {"handle": handle}}) as resumed:
        await resumed.send_client_content(turns="What is my name?")
        assert "Ada" in text_of(await side_turn(resumed))
    with pytest.raises(g.LiveSetupError) as info:
        async with side.connect(config={"session_resumption": {"handle": "no-such-handle"}}):
            pass
    assert info.value.code == 1008 and "handle" in info.value.reason


async def test_reconnect_after_a_1011_close(side: Any, server: EmulatorServer) -> None:
    for i in range(1000):
        server.app.answers.add({"pattern": f"^turn {i}$", "reply": f"answer {i}"})
    server.app.faults.add({"live": {"close_code": 1011, "close_after_ms": 500}})
    async with side.connect(config=TEXT) as session:
        start = time.monotonic()
        i = 0
        reconnects: list[types.LiveReconnect] = []
        while time.monotonic() - start < 1.6:
            await session.send_client_content(turns=f"turn {i}")
            reconnects += await answer_to(session, i)
            i += 1
            await asyncio.sleep(0.02)
        assert session.reconnects == len(reconnects) >= 2 and i >= 5
        assert all(r.reason == "connection_closed" and r.close_code == 1011 for r in reconnects)


async def answer_to(session: Any, i: int) -> list[types.LiveReconnect]:
    """Read turns until the answer to turn ``i``; the reconnects seen on the way.

    After a reconnect, the turn before may be answered again (when the connection closed
    between its answer and the handle that acknowledged it: sent twice rather than lost).
    """
    seen: list[types.LiveReconnect] = []
    while True:
        messages = await side_turn(session)
        seen += [m.reconnect for m in messages if m.reconnect]
        # What came after the last reconnect or interruption is the answer that completed.
        cut = max(
            (
                k
                for k, m in enumerate(messages)
                if m.reconnect or (m.server_content and m.server_content.interrupted)
            ),
            default=-1,
        )
        text = text_of(messages[cut + 1 :])
        if text == f"answer {i}":
            return seen
        assert seen and text == f"answer {i - 1}", (i, text, messages)


async def test_a_session_closed_with_1011_and_sent_go_away_keeps_answering_every_turn(
    server: EmulatorServer,
) -> None:
    """The issue's scenario, compressed: goAway every 300 ms and a 1011 close a second into
    every connection, for about 5 s. One task reads (as a voice widget does), another talks."""
    for i in range(1000):
        server.app.answers.add({"pattern": f"^turn {i}$", "reply": f"answer {i}"})
    server.app.faults.add(
        {"live": {"go_away_every_ms": 300, "close_code": 1011, "close_after_ms": 1000}}
    )
    client = g.AsyncClient(base_url=server.url)
    async with client.live.connect(model=MODEL, config=TEXT) as session:
        reasons: list[types.LiveReconnect] = []
        answers: asyncio.Queue[str] = asyncio.Queue()
        go_aways = 0

        async def read() -> None:
            nonlocal go_aways
            text = ""
            async for message in session:
                if message.reconnect or (
                    message.server_content and message.server_content.interrupted
                ):
                    if message.reconnect:
                        reasons.append(message.reconnect)
                    text = ""  # an answer under way starts again on the new connection
                go_aways += message.go_away is not None
                text += message.text or ""
                if message.turn_complete:
                    await answers.put(text)
                    text = ""

        async def answer(i: int) -> None:
            while (text := await asyncio.wait_for(answers.get(), 10)) != f"answer {i}":
                # Only a turn answered again after a reconnect may come in between.
                assert reasons and text == f"answer {i - 1}", (i, text)

        async def mic() -> None:
            while True:
                await session.send_realtime_input(audio=pcm(silence(0.1)))
                await asyncio.sleep(0.1)

        reader = asyncio.create_task(read())
        i, start = 0, time.monotonic()
        # First quick turns: the session is quiet right after each answer, so every goAway
        # is followed by a reconnect at once. Then an open microphone between slower turns:
        # its audio is never all acknowledged, so a goAway waits for its deadline, and the
        # 1011 closes come first; the audio since the handle is sent again.
        microphone = None
        while time.monotonic() - start < 5.0:
            quiet = time.monotonic() - start < 2.2
            if not quiet and microphone is None:
                microphone = asyncio.create_task(mic())
            await session.send_client_content(turns=f"turn {i}")
            await answer(i)
            i += 1
            await asyncio.sleep(0.01 if quiet else 1.2)
        assert microphone is not None
        microphone.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await microphone
        await session.close()
        await asyncio.wait_for(reader, 10)
    assert i >= 20 and go_aways >= 5
    kinds = {r.reason for r in reasons}
    assert kinds == {"go_away", "connection_closed"}, reasons
    assert all(r.close_code == 1011 for r in reasons if r.reason == "connection_closed")
    assert session.reconnects == len(reasons) and [r.count for r in reasons] == list(
        range(1, len(reasons) + 1)
    )
    assert all(r.resent for r in reasons if r.reason == "connection_closed")


async def test_overflowing_the_resend_queue_raises_instead_of_resuming(
    server: EmulatorServer,
) -> None:
    server.app.faults.add({"live": {"close_code": 1011, "close_after_ms": 400}})
    client = g.AsyncClient(base_url=server.url)
    async with client.live.connect(model=MODEL, config=TEXT, resend_limit=3) as session:
        for _ in range(4):
            await session.send_realtime_input(audio=pcm(silence(0.05)))
        with pytest.raises(g.LiveResumptionError) as info:
            async for _ in session:
                pass
        assert info.value.code == 1011 and "resend_limit=3" in str(info.value)
        assert session.closed
        with pytest.raises(g.LiveSessionClosedError) as closed:
            await session.send_client_content(turns="Hello?")
        assert closed.value.__cause__ is info.value


async def test_without_reconnect_a_1011_close_is_an_error_that_can_be_resumed(
    side: Any, server: EmulatorServer
) -> None:
    server.app.faults.add({"live": {"close_code": 1011, "close_after_ms": 600}})
    async with side.connect(config=TEXT, reconnect=False) as session:
        await session.send_client_content(turns="Hello")
        with pytest.raises(g.LiveConnectionClosed) as info:
            await asyncio.wait_for(session.all(), 10)
    err = info.value
    assert type(err) is g.LiveConnectionClosed and isinstance(err, g.APIConnectionError)
    assert err.code == 1011 and err.reason == "Internal error encountered."
    assert err.resumable and err.handle == session.resumption_handle and err.handle


# ------------------------------------------------------------------ endings and mistakes


async def test_a_normal_close_ends_iteration_without_error(
    side: Any, server: EmulatorServer
) -> None:
    server.app.faults.add({"live": {"close_code": 1000, "close_after_ms": 300}})
    async with side.connect(config=TEXT) as session:
        await session.send_client_content(turns="Hello")
        messages = await asyncio.wait_for(session.all(), 10)
        assert any(m.turn_complete for m in messages)
        assert session.closed and session.reconnects == 0
        with pytest.raises(g.LiveSessionClosedError, match="closed it normally"):
            await session.send_client_content(turns="Still there?")


async def test_what_came_before_a_normal_close_is_still_read(server: EmulatorServer) -> None:
    server.app.faults.add({"live": {"close_code": 1000, "close_after_ms": 300}})
    client = g.AsyncClient(base_url=server.url)
    async with client.live.connect(model=MODEL, config=TEXT) as session:
        await session.send_client_content(turns="Hello")
        await asyncio.sleep(0.6)  # answered, then closed, and nothing read yet
        with pytest.raises(g.LiveSessionClosedError, match="closed it normally"):
            await session.send_client_content(turns="Still there?")
        messages = [m async for m in session]
        assert messages[-1].session_resumption_update is not None
        assert any(m.turn_complete for m in messages) and text_of(messages).strip()
        with pytest.raises(g.LiveSessionClosedError):
            session.receive()


async def test_closing_ends_a_reader_in_another_task(server: EmulatorServer) -> None:
    client = g.AsyncClient(base_url=server.url)
    session = await client.live.connect(model=MODEL, config=TEXT)
    reader = asyncio.create_task(_collect(session))
    await asyncio.sleep(0.1)
    with pytest.raises(RuntimeError, match="already reading"):
        await session.receive().__anext__()
    await session.close()
    assert await asyncio.wait_for(reader, 5) == []


async def _collect(session: Any) -> list[Any]:
    return [m async for m in session]


async def test_a_session_used_after_close_raises(side: Any) -> None:
    async with side.connect(config=TEXT) as session:
        pass
    assert session.closed
    for use in (
        lambda: session.send_client_content(turns="Hi"),
        lambda: session.send_realtime_input(text="Hi"),
        lambda: session.send_tool_response(
            function_responses={"id": "1", "name": "f", "response": {}}
        ),
        session.turn,
        session.all,
    ):
        with pytest.raises(g.LiveSessionClosedError, match="open a new one"):
            await use()


@pytest.mark.parametrize(
    ("config", "model", "code", "words"),
    [
        ({"http_options": {"extra_body": {"bogus": 1}}}, MODEL, 1007, "bogus"),
        ({}, "gemini-2.5-flash", 1008, "bidiGenerateContent"),
    ],
)
async def test_a_setup_the_server_refuses_raises_at_connect(
    side: Any, config: dict[str, Any], model: str, code: int, words: str
) -> None:
    with pytest.raises(g.LiveSetupError) as info:
        async with side.connect(model=model, config=config):
            pass
    assert info.value.code == code and words in info.value.reason and words in str(info.value)
    assert not info.value.resumable


async def test_connection_failures_are_typed(server: EmulatorServer) -> None:
    refused = g.AsyncClient(base_url="http://127.0.0.1:9", max_retries=0)
    with pytest.raises(g.APIConnectionError) as info:
        await refused.live.connect(model=MODEL)
    assert not info.value.request_sent and "ws://127.0.0.1:9/ws/" in str(info.value)
    # A handshake answered with an HTTP status (no such API version here) is a status error.
    unknown = g.AsyncClient(base_url=server.url, api_version="v9", max_retries=0)
    with pytest.raises(g.APIStatusError) as status:
        await unknown.live.connect(model=MODEL)
    assert status.value.status_code == 403


async def test_bad_audio_is_refused_before_sending(side: Any) -> None:
    async with side.connect(config=TEXT) as session:
        with pytest.raises(g.InvalidInputError, match="4000 Hz"):
            await session.send_realtime_input(audio=pcm(silence(0.1, 4000), 4000))
        with pytest.raises(g.InvalidInputError, match="audio/pcm;rate=16000"):
            await session.send_realtime_input(
                audio=types.Blob(data=tone(0.1), mime_type="audio/wav")
            )
        with pytest.raises(g.InvalidInputError, match="odd number"):
            await session.send_realtime_input(audio=pcm(tone(0.1) + b"\x00"))
        # Nothing went out: the session is fine (and takes a video frame).
        from PIL import Image

        await session.send_realtime_input(video=Image.new("RGB", (16, 16), (0, 128, 255)))
        await session.send_client_content(turns="Hello")
        assert text_of(await side_turn(session)).strip()


async def test_wss_on_a_self_signed_certificate(monkeypatch: pytest.MonkeyPatch) -> None:
    with EmulatorServer(options=EmulatorOptions(live_pace=0), tls=True) as tls:
        assert tls.certificate is not None and tls.url.startswith("https://")
        monkeypatch.setenv("SSL_CERT_FILE", tls.certificate)
        client = g.AsyncClient(base_url=tls.url)
        async with client.live.connect(model=MODEL, config=TEXT) as session:
            await session.send_client_content(turns="Hello over TLS")
            assert text_of([m async for m in session.receive()]).strip()


# ------------------------------------------------------------------ ephemeral tokens and the key


async def test_ephemeral_token_connects_through_the_constrained_endpoint(
    server: EmulatorServer,
) -> None:
    for side_cls in (AsyncSide, SyncSide):
        issuer = side_cls(base_url=server.url)
        token = await issuer.create_token(
            uses=1, live_connect_constraints={"model": MODEL, "config": TEXT}
        )
        assert isinstance(token, types.AuthToken) and token.name.startswith("auth_tokens/")
        assert token.expire_time and token.new_session_expire_time
        browser = side_cls(api_key=token.name, base_url=server.url)
        # The token's locked setup wins: text, though the connection asks for audio.
        async with browser.connect(config={"response_modalities": ["AUDIO"]}) as session:
            await session.send_client_content(turns="Hello")
            assert text_of(await side_turn(session)).strip()
        with pytest.raises(g.LiveSetupError) as info:  # its one use is spent
            async with browser.connect(config=TEXT):
                pass
        assert info.value.code == 1008 and "token" in info.value.reason


async def test_auth_token_parameter_on_a_keyed_client(keyed_emulator: Any) -> None:
    client = g.AsyncClient(api_key=TEST_KEY, base_url=keyed_emulator.url)
    token = await client.auth_tokens.create(config={"uses": 2})
    async with client.live.connect(model=MODEL, config=TEXT, auth_token=token) as session:
        await session.send_client_content(turns="Hello")
        assert text_of([m async for m in session.receive()]).strip()
    with pytest.raises(g.InvalidInputError, match="ephemeral token"):
        client.live.connect(model=MODEL, auth_token=TEST_KEY)


async def test_the_key_stays_out_of_sight(
    keyed_emulator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="websockets.client")
    caplog.set_level(logging.DEBUG, logger="gemini_nb")
    client = g.AsyncClient(api_key=TEST_KEY, base_url=keyed_emulator.url)
    async with client.live.connect(model=MODEL, config=TEXT) as session:
        await session.send_client_content(turns="Hello")
        messages = [m async for m in session.receive()]
        assert text_of(messages).strip()
        assert TEST_KEY not in repr(session) and TEST_KEY not in repr(client.live)
        assert holding(session, TEST_KEY) == []
    ours = "\n".join(
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(("websockets.client", "gemini_nb"))
    )
    assert "x-goog-api-key: ***" in ours.lower()  # websockets logged the handshake
    wrong = "AIzaWRONG-0123456789abcdefghijklmnopq"
    with pytest.raises(g.LiveSetupError) as info:
        async with g.AsyncClient(api_key=wrong, base_url=keyed_emulator.url).live.connect(
            model=MODEL
        ):
            pass
    assert info.value.code == 1008 and "API key not valid" in str(info.value)
    ours = "\n".join(
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(("websockets.client", "gemini_nb"))
    )
    for text in (str(info.value), repr(info.value), info.value.reason, ours):
        assert TEST_KEY not in text and wrong not in text
    sync = g.Client(api_key=TEST_KEY, base_url=keyed_emulator.url)
    with sync.live.connect(model=MODEL, config=TEXT) as session:
        assert TEST_KEY not in repr(session) and holding(session, TEST_KEY) == []
