"""ChatWidget driven from Python against the emulator, with a recording comm standing in for
the browser (outgoing messages are captured; browser messages are injected)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import comm
import ipywidgets
import pytest

import gemini_nb
from gemini_nb.notebook._session import session
from gemini_nb.notebook.display import markdown_to_html
from gemini_nb.notebook.widgets import ChatWidget, static_path
from tests.conftest import TEST_KEY

from ._fake_comm import RecordingComm, comm_of, comms, from_browser

__all__ = ["comms"]  # the fixture, imported for the tests here

MODEL = "gemini-2.5-flash"
# Long enough that the emulator streams it in several chunks.
LONG_PROMPT = "Explain in detail, with several paragraphs, how volcanoes form in Iceland."


@pytest.fixture(scope="module")
def slow_emulator() -> Iterator[Any]:
    """Stream events 30 ms apart, so that a reply can be stopped half-way."""
    from gemini_nb.emulator import EmulatorOptions, EmulatorServer

    with EmulatorServer(options=EmulatorOptions(chunk_delay=0.03)) as server:
        yield server


@pytest.fixture
async def client(emulator: Any) -> AsyncIterator[gemini_nb.AsyncClient]:
    async with gemini_nb.AsyncClient(base_url=emulator.url) as c:
        yield c


async def expected_reply(client: gemini_nb.AsyncClient, prompt: str, model: str = MODEL) -> str:
    chat = client.chats.create(model=model)
    return (await chat.send_message(prompt)).text


async def test_reply_streams_and_is_recorded(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = ChatWidget(model=MODEL, client=client)
    assert w.messages == [] and not w.busy
    from_browser(w, {"type": "send", "text": LONG_PROMPT})
    assert w.busy and w._task is not None
    assert [m["state"] for m in w.messages] == ["done", "streaming"]
    reply = await w._task

    want = await expected_reply(client, LONG_PROMPT)
    assert reply["text"] == want and reply["state"] == "done"
    assert reply["html"] == markdown_to_html(want)
    assert w.messages[0]["role"] == "user" and w.messages[0]["text"] == LONG_PROMPT
    assert w.messages[1] == reply
    assert not w.busy and w.error == ""

    deltas = [m for m in comm_of(w).custom() if m["type"] == "delta"]
    assert deltas and all(d["index"] == 1 for d in deltas)
    # Each delta renders the reply so far: the text of the first k chunks.
    stream = client.chats.create(model=MODEL).send_message_stream(LONG_PROMPT)
    so_far, rendered = "", set()
    async for chunk in stream:
        so_far += chunk.text
        rendered.add(markdown_to_html(so_far))
    assert all(d["html"] in rendered for d in deltas)

    history = w.chat.history
    assert [c.role for c in history] == ["user", "model"]
    assert history[0].text == LONG_PROMPT and history[1].text == want
    w.close()


async def test_usage_and_second_turn(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    session.usage.clear()
    w = ChatWidget(model=MODEL, client=client)
    first = await w.send("Hello there!")
    second = await w.send("And what about tomorrow?")
    for reply in (first, second):
        usage = reply["usage"]
        assert usage["input"] > 0 and usage["output"] > 0
        assert usage["total"] >= usage["input"] + usage["output"]
    # The second prompt carries the first exchange.
    assert second["usage"]["input"] > first["usage"]["input"]
    assert len(w.chat.history) == 4 and len(w.messages) == 4
    assert repr(w) == "ChatWidget(model='gemini-2.5-flash', turns=4)"
    assert session.usage[MODEL].calls == 2
    assert session.usage[MODEL].output == first["usage"]["output"] + second["usage"]["output"]
    w.close()


async def test_stop_keeps_the_partial_reply(comms: list[RecordingComm], slow_emulator: Any) -> None:
    async with gemini_nb.AsyncClient(base_url=slow_emulator.url) as client:
        w = ChatWidget(model=MODEL, client=client)
        task = w.send(LONG_PROMPT)
        for _ in range(200):  # until some text has been pushed to the browser
            if any(m["type"] == "delta" for m in comm_of(w).custom()):
                break
            await asyncio.sleep(0.01)
        from_browser(w, {"type": "stop"})
        reply = await task
        assert not task.cancelled()
        full = await expected_reply(client, LONG_PROMPT)

        assert reply["state"] == "stopped" and w.messages[-1] == reply
        assert reply["text"] and full.startswith(reply["text"]) and reply["text"] != full
        assert not w.busy and w.error == ""
        # An unfinished answer is not part of the conversation sent later.
        assert w.chat.history == []

        again = await w.send("Hello")
        assert again["state"] == "done"
        assert [c.role for c in w.chat.history] == ["user", "model"]
        assert [m["state"] for m in w.messages] == ["done", "stopped", "done", "done"]
        w.close()


async def test_messages_from_a_subshell_thread_run_on_the_widget_loop(
    comms: list[RecordingComm], slow_emulator: Any
) -> None:
    # JupyterLab 4.6 sends widget messages to a kernel subshell: another thread, another
    # loop. Each turn must still run on the widget's loop, where its HTTP client lives.
    async with gemini_nb.AsyncClient(base_url=slow_emulator.url) as client:
        w = ChatWidget(model=MODEL, client=client)
        for n, text in enumerate(["Hello", "Hello again"]):
            await asyncio.to_thread(from_browser, w, {"type": "send", "text": text})
            await asyncio.to_thread(from_browser, w, {"type": "send", "text": "racing"})
            await asyncio.sleep(0)  # the hand-over callbacks run
            assert w.busy and w._task is not None
            assert w._task.get_loop() is asyncio.get_running_loop()
            if n == 1:
                await asyncio.to_thread(from_browser, w, {"type": "stop"})
            await w._task
        assert [m["text"] for m in w.messages if m["role"] == "user"] == ["Hello", "Hello again"]
        assert [m["state"] for m in w.messages] == ["done", "done", "done", "stopped"]
        with pytest.raises(RuntimeError, match="event loop the widget was created on"):
            await asyncio.to_thread(asyncio.run, _send_from_other_loop(w))
        w.close()


async def _send_from_other_loop(w: ChatWidget) -> None:
    w.send("Hi")


async def test_stop_before_the_task_runs(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = ChatWidget(model=MODEL, client=client)
    task = w.send("Hi")
    w.stop()
    reply = await task
    assert reply["state"] == "stopped" and reply["text"] == ""
    assert w.messages[-1] == reply and not w.busy and w.chat.history == []
    w.close()


async def test_unknown_model_shows_the_error(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = ChatWidget(model="gemini-no-such-model", client=client)
    reply = await w.send("Hi")
    assert reply["state"] == "error" and reply["text"] == ""
    assert w.error.startswith("404 NOT_FOUND: ") and reply["error"] == w.error
    assert "gemini-no-such-model" in w.error
    assert w.chat.history == [] and not w.busy

    # The next good turn clears the error line.
    w.model = MODEL
    assert w.chat.model == MODEL
    ok = await w.send("Hi")
    assert ok["state"] == "done" and w.error == ""
    w.close()


async def test_send_while_busy(comms: list[RecordingComm], client: gemini_nb.AsyncClient) -> None:
    w = ChatWidget(model=MODEL, client=client)
    task = w.send("One")
    from_browser(w, {"type": "send", "text": "Two"})  # dropped: Send is disabled while busy
    with pytest.raises(RuntimeError, match="still streaming"):
        w.send("Three")
    await task
    with pytest.raises(ValueError, match="empty"):
        w.send("  \n")
    from_browser(w, {"type": "send", "text": "   "})
    from_browser(w, {"type": "nonsense"})
    assert [m["text"] for m in w.messages if m["role"] == "user"] == ["One"]
    assert w._task is task
    w.close()


async def test_user_text_is_escaped(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = ChatWidget(model=MODEL, client=client)
    await w.send("Is <b>bold</b> & <script>x()</script> shown as text?")
    user = w.messages[0]
    assert user["text"] == "Is <b>bold</b> & <script>x()</script> shown as text?"
    assert "<b>" not in user["html"] and "&lt;b&gt;" in user["html"]
    assert "<script" not in w.messages[1]["html"]
    w.close()


async def test_history_and_system_instruction(
    comms: list[RecordingComm],
    emulator: Any,
    sent: list[dict[str, Any]],
    client: gemini_nb.AsyncClient,
) -> None:
    history = [
        {"role": "user", "parts": [{"text": "My name is **Ada**."}]},
        {"role": "model", "parts": [{"text": "Nice to meet you, *Ada*."}]},
    ]
    w = ChatWidget(
        model=MODEL,
        client=client,
        history=history,
        system_instruction="Answer in one sentence.",
        config={"temperature": 0.1},
    )
    assert [(m["role"], m["state"]) for m in w.messages] == [("user", "done"), ("model", "done")]
    assert w.messages[1]["html"] == markdown_to_html("Nice to meet you, *Ada*.")
    assert repr(w) == "ChatWidget(model='gemini-2.5-flash', turns=2)"

    await w.send("What is my name?")
    body = sent[-1]["json"]
    assert sent[-1]["path"].endswith(f"models/{MODEL}:streamGenerateContent")
    assert body["systemInstruction"]["parts"] == [{"text": "Answer in one sentence."}]
    assert body["generationConfig"]["temperature"] == 0.1
    assert [c["parts"][0]["text"] for c in body["contents"]] == [
        "My name is **Ada**.",
        "Nice to meet you, *Ada*.",
        "What is my name?",
    ]
    assert len(w.chat.history) == 4
    w.close()


async def test_no_api_key_in_widget_state_or_messages(
    comms: list[RecordingComm], keyed_emulator: Any
) -> None:
    async with gemini_nb.AsyncClient(api_key=TEST_KEY, base_url=keyed_emulator.url) as client:
        w = ChatWidget(model=MODEL, client=client)
        ok = await w.send("Hello")
        assert ok["state"] == "done"
        w.model = "gemini-no-such-model"
        failed = await w.send("Hello again")
        assert failed["state"] == "error"
        state = w.get_state()
        w.close()
    wrong_key = "AIzaWRONGKEY-0123456789abcdefghijklmnop"
    async with gemini_nb.AsyncClient(api_key=wrong_key, base_url=keyed_emulator.url) as client:
        w2 = ChatWidget(model=MODEL, client=client)
        rejected = await w2.send("Hello")
        assert rejected["state"] == "error" and w2.error.startswith("400 INVALID_ARGUMENT")
        state2 = w2.get_state()
        w2.close()
    published = json.dumps([(t, d) for c in comms for t, d, _ in c.sent], default=str)
    everything = published + json.dumps([state, state2], default=str) + repr(w) + repr(w2)
    assert TEST_KEY not in everything and wrong_key not in everything
    assert "AIza" not in everything


async def test_close_cancels_and_leaves_no_comms(
    comms: list[RecordingComm], slow_emulator: Any
) -> None:
    before = set(comm.get_comm_manager().comms)
    async with gemini_nb.AsyncClient(base_url=slow_emulator.url) as client:
        w = ChatWidget(model=MODEL, client=client)
        task = w.send(LONG_PROMPT)
        await asyncio.sleep(0.05)
        w.close()
        reply = await task
    assert reply["state"] == "stopped"
    assert w.comm is None and set(comm.get_comm_manager().comms) == before
    assert len(comms) == 2  # the widget's and its layout's
    assert all(c._closed and c.sent[-1][0] == "comm_close" for c in comms)


def test_front_end_files_are_shipped() -> None:
    js, css = static_path("chat.js"), static_path("chat.css")
    assert js.read_text().rstrip().endswith("export default { render };")
    assert ".gnb-chat" in css.read_text()
    with pytest.raises(FileNotFoundError, match=r"nope\.js"):
        static_path("nope.js")


async def test_synced_traits_are_the_documented_ones(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = ChatWidget(model=MODEL, client=client)
    opened = comm_of(w).sent[0]
    assert opened[0] == "comm_open"
    ours = {k for k in opened[1]["state"] if not k.startswith("_")} - set(
        ipywidgets.DOMWidget.class_trait_names(sync=True)
    )
    assert ours == {"model", "models", "messages", "busy", "error"}
    assert "export default" in opened[1]["state"]["_esm"]
    w.close()


async def test_model_picker_gets_the_models_once_and_switches_the_model(
    comms: list[RecordingComm], client: gemini_nb.AsyncClient
) -> None:
    w = ChatWidget(model=MODEL, client=client)
    assert w.models == [MODEL]  # until a view asks
    from_browser(w, {"type": "models"})
    assert w._models_task is not None
    first_task = w._models_task
    from_browser(w, {"type": "models"})  # a second view: no second list call
    assert w._models_task is first_task
    await first_task
    assert w.models[0] == MODEL and "gemini-2.5-pro" in w.models
    assert len(w.models) == len(set(w.models)) > 5
    assert "gemini-embedding-001" not in w.models  # it cannot chat
    # The picker sets the trait from the browser; the next turn goes to that model.
    w._handle_msg(
        {
            "content": {
                "data": {
                    "method": "update",
                    "state": {"model": "gemini-2.5-pro"},
                    "buffer_paths": [],
                }
            },
            "buffers": [],
        }
    )
    assert w.model == "gemini-2.5-pro" and w.chat.model == "gemini-2.5-pro"
    reply = await w.send("Hello!")
    assert reply["text"] == await expected_reply(client, "Hello!", model="gemini-2.5-pro")
    w.close()


async def test_model_picker_falls_back_to_known_models(comms: list[RecordingComm]) -> None:
    from gemini_nb.notebook._complete import KNOWN_MODELS

    async with gemini_nb.AsyncClient(base_url="http://127.0.0.1:9", max_retries=0) as client:
        w = ChatWidget(model="my-tuned-model", client=client)
        from_browser(w, {"type": "models"})
        assert w._models_task is not None
        await w._models_task
    assert w.models == ["my-tuned-model", *KNOWN_MODELS]
    w.close()
