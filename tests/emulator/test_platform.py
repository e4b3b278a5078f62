"""The emulator's platform over loopback: Discovery routing, the control API and its token,
bounds on what it accepts, scripted answers, the clock and long-running operations."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gemini_nb.emulator import EmulatorOptions, EmulatorServer
from gemini_nb.emulator.backends import operations
from gemini_nb.emulator.wire import routing, schema
from gemini_nb.emulator.wire.errors import EmulatorError

GEN = "/v1beta/models/gemini-2.5-flash:generateContent"
HI = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
CONTROL_PATHS = (
    "/_emulator",
    "/_emulator/health",
    "/_emulator/requests",
    "/_emulator/faults",
    "/_emulator/uploads",
    "/_emulator/answers",
    "/_emulator/clock",
    "/_emulator/nothing",
)


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(options=EmulatorOptions(log_size=5, log_bytes=4096)) as s:
        yield s


@pytest.fixture
def http(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as c:
        yield c


def ctl(server: EmulatorServer) -> dict[str, str]:
    return {"x-emulator-token": server.token}


def _sample_url(spec: schema.MethodSpec) -> str:
    """A concrete URL for a method: each path parameter filled with a value its regex takes."""
    path = spec.path
    for name, pattern in spec.path_params.items():
        value = pattern.strip("^$").replace("[^/]+", "x1").replace(".*", "x1")
        path = re.sub(r"\{\+?" + name + r"\}", value, path)
    return "/" + path


def test_every_discovery_method_is_served_or_unimplemented(http: httpx.Client) -> None:
    served = routing.served_methods()
    assert {"models.generateContent", "cachedContents.create", "models.operations.get"} <= served
    for spec in schema.method_table():
        url = _sample_url(spec)
        r = http.request(spec.http_method, url, json={} if spec.request else None)
        assert r.status_code != 404 or spec.id in served, (spec.id, url, r.text)
        if spec.id not in served:
            error = r.json()["error"]
            assert (r.status_code, error["status"]) == (501, "UNIMPLEMENTED"), spec.id
            assert spec.id in error["message"]
        else:
            assert r.status_code != 501, spec.id


def test_unknown_path_is_not_found(http: httpx.Client) -> None:
    r = http.get("/v1beta/nothing/here")
    assert r.status_code == 404 and r.json()["error"]["status"] == "NOT_FOUND"


def test_other_versions_route_like_v1beta(http: httpx.Client) -> None:
    for version in ("v1", "v1alpha"):
        assert (
            http.post(f"/{version}/models/gemini-2.5-flash:generateContent", json=HI).status_code
            == 200
        )


@pytest.mark.parametrize("path", CONTROL_PATHS)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_control_needs_the_token(http: httpx.Client, path: str, method: str) -> None:
    missing = http.request(method, path, json={})
    assert missing.status_code == 401 and "X-Emulator-Token" in missing.json()["error"]["message"]
    wrong = http.request(method, path, json={}, headers={"x-emulator-token": "guess"})
    assert wrong.status_code == 403


def test_control_refuses_cross_site(http: httpx.Client, server: EmulatorServer) -> None:
    evil = http.get(
        "/_emulator/requests", headers={**ctl(server), "origin": "https://evil.example"}
    )
    assert evil.status_code == 403
    fetch = http.get("/_emulator/requests", headers={**ctl(server), "sec-fetch-site": "cross-site"})
    assert fetch.status_code == 403
    local = http.get(
        "/_emulator/requests", headers={**ctl(server), "origin": "http://localhost:8888"}
    )
    assert local.status_code == 200


def test_foreign_host_is_refused(http: httpx.Client) -> None:
    # A web page that rebinds its own name to 127.0.0.1 still sends its name as Host.
    r = http.post(GEN, json=HI, headers={"host": "attacker.example"})
    assert r.status_code == 403


def test_request_log_is_bounded_and_survives_nan(
    http: httpx.Client, server: EmulatorServer
) -> None:
    for i in range(8):
        http.post(GEN, json={"contents": [{"role": "user", "parts": [{"text": f"hi {i}"}]}]})
    log = http.get("/_emulator/requests", headers=ctl(server)).json()["requests"]
    assert len(log) == 5 and log[-1]["json"]["contents"][0]["parts"][0]["text"] == "hi 7"
    big = "x" * 3000
    http.post(GEN, json={"contents": [{"role": "user", "parts": [{"text": big}]}]})
    http.post(GEN, json={"contents": [{"role": "user", "parts": [{"text": big}]}]})
    assert len(http.get("/_emulator/requests", headers=ctl(server)).json()["requests"]) <= 2
    # NaN is not JSON the API takes; the log must still answer afterwards.
    bad = http.post(
        GEN,
        content=b'{"contents": [], "generationConfig": {"temperature": NaN}}',
        headers={"content-type": "application/json"},
    )
    assert bad.status_code == 400
    after = http.get("/_emulator/requests", headers=ctl(server))
    assert after.status_code == 200 and after.json()["requests"][-1]["json"] == {"$raw_bytes": 58}


def test_body_over_the_limit_is_refused_unread(server: EmulatorServer) -> None:
    server.app.options.max_body_bytes = 1000
    try:
        r = httpx.post(
            server.url + GEN,
            content=b"{" + b" " * 5000 + b"}",
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 400
        assert r.json()["error"]["message"] == "Request payload size exceeds the limit: 1000 bytes."
    finally:
        server.app.options.max_body_bytes = routing.MAX_BODY_BYTES


def test_half_sent_body_times_out() -> None:
    with EmulatorServer(options=EmulatorOptions(body_timeout=0.5)) as s:
        host, port = s.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(
                f"POST {GEN} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                'Content-Length: 100\r\n\r\n{"contents":'.encode()
            )
            started = time.monotonic()
            answer = sock.recv(4096).decode()
        assert answer.startswith("HTTP/1.1 408") and time.monotonic() - started < 5


def test_deeply_nested_json_is_a_google_400(http: httpx.Client) -> None:
    body = b'{"contents": ' + b"[" * 10000 + b"]" * 10000 + b"}"
    r = http.post(GEN, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_invalid_fault_is_a_google_400(http: httpx.Client, server: EmulatorServer) -> None:
    r = http.post("/_emulator/faults", headers=ctl(server), json={"status": 503, "path": "(["})
    assert r.status_code == 400 and r.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_errors_on_sse_requests_are_event_streams(http: httpx.Client) -> None:
    r = http.post(
        "/v1beta/models/no-such-model:streamGenerateContent", params={"alt": "sse"}, json=HI
    )
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/event-stream")
    assert r.json()["error"]["status"] == "NOT_FOUND"


def test_scripted_answers_over_control(http: httpx.Client, server: EmulatorServer) -> None:
    rules = [
        {"pattern": "(?i)capital of france", "reply": "Paris.", "times": 1},
        {
            "pattern": "weather",
            "functionCalls": [{"name": "get_weather", "args": {"city": "Oslo"}}],
        },
        {"pattern": "pro only", "reply": "From Pro.", "model": "gemini-2.5-pro"},
    ]
    assert http.post("/_emulator/answers", headers=ctl(server), json=rules).json()["added"] == 3

    def ask(text: str, model: str = "gemini-2.5-flash") -> dict[str, Any]:
        body = {"contents": [{"role": "user", "parts": [{"text": text}]}]}
        r = http.post(f"/v1beta/models/{model}:generateContent", json=body)
        cand: dict[str, Any] = r.json()["candidates"][0]
        return cand

    first = ask("What is the capital of France?")
    assert [p.get("text") for p in first["content"]["parts"]] == ["Paris."]
    assert ask("What is the capital of France?")["content"]["parts"][0].get("text") != "Paris."
    call = ask("What's the weather like?")
    assert call["content"]["parts"][0]["functionCall"] == {
        "name": "get_weather",
        "args": {"city": "Oslo"},
    }
    assert call["finishMessage"] == "Model generated function call(s)."
    assert ask("pro only please")["content"]["parts"][0].get("text") != "From Pro."
    assert ask("pro only please", "gemini-2.5-pro")["content"]["parts"][-1]["text"] == "From Pro."
    bad = http.post("/_emulator/answers", headers=ctl(server), json={"pattern": "x"})
    assert bad.status_code == 400 and "reply" in bad.json()["error"]["message"]
    http.delete("/_emulator/answers", headers=ctl(server))
    assert http.get("/_emulator/answers", headers=ctl(server)).json() == {"answers": []}


def test_scripted_answers_from_a_file_stream_too(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps([{"pattern": "tour", "reply": "Welcome to the tour of gemini-nb."}]))
    with EmulatorServer(options=EmulatorOptions(answers=str(path))) as s:
        body = {"contents": [{"role": "user", "parts": [{"text": "Start the tour"}]}]}
        r = httpx.post(
            s.url + "/v1beta/models/gemini-2.5-flash:streamGenerateContent",
            params={"alt": "sse"},
            json=body,
        )
        events = [json.loads(line[5:]) for line in r.text.splitlines() if line.startswith("data:")]
        text = "".join(
            p.get("text", "")
            for e in events
            for p in e["candidates"][0]["content"].get("parts", [])
        )
        assert text == "Welcome to the tour of gemini-nb."


def test_clock_advances_over_control(http: httpx.Client, server: EmulatorServer) -> None:
    before = server.app.clock.time()
    r = http.post("/_emulator/clock", headers=ctl(server), json={"advance": "3600s"})
    assert r.status_code == 200 and server.app.clock.time() - before >= 3600
    assert (
        http.post("/_emulator/clock", headers=ctl(server), json={"advance": -1}).status_code == 400
    )


def test_operations_complete_on_the_clock(http: httpx.Client, server: EmulatorServer) -> None:
    store = server.app.store
    operations.start(
        store,
        "models/veo-x/operations/op1",
        seconds=60,
        finish=lambda: {"@type": "type.googleapis.com/Example", "ok": True},
        metadata={"@type": "type.googleapis.com/ExampleMetadata"},
        progress_metadata=lambda f: {"progressPercent": round(100 * f)},
    )

    def fail() -> dict[str, Any]:
        raise EmulatorError(400, "The prompt was blocked.")

    operations.start(store, "models/veo-x/operations/op2", seconds=10, finish=fail)
    running = http.get("/v1beta/models/veo-x/operations/op1").json()
    assert "done" not in running and running["metadata"]["progressPercent"] < 50
    server.app.clock.advance(61)
    done = http.get("/v1beta/models/veo-x/operations/op1").json()
    assert done["done"] is True and done["response"]["ok"] is True
    failed = http.get("/v1beta/models/veo-x/operations/op2").json()
    assert failed["error"] == {"code": 400, "message": "The prompt was blocked."}
    listed = http.get("/v1beta/models/veo-x/operations").json()["operations"]
    assert [o["name"] for o in listed] == [
        "models/veo-x/operations/op1",
        "models/veo-x/operations/op2",
    ]
    assert http.get("/v1beta/models/veo-x/operations/none").status_code == 404


def test_cli_prints_url_and_token_and_takes_the_new_options(tmp_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps([{"pattern": "ping", "reply": "pong"}]))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gemini_nb.emulator",
            "--port",
            "0",
            "--clock-speed",
            "60",
            "--answers",
            str(answers),
            "--cut-upload-at",
            "1000:1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        token_line = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and token_line.startswith("token: ")
        token = token_line.removeprefix("token: ")
        clock = httpx.get(url + "/_emulator/clock", headers={"x-emulator-token": token}).json()
        assert clock["speed"] == 60
        body = {"contents": [{"role": "user", "parts": [{"text": "ping"}]}]}
        r = httpx.post(url + GEN, json=body).json()
        assert r["candidates"][0]["content"]["parts"][-1]["text"] == "pong"
        assert httpx.get(url + "/_emulator/requests").status_code == 401
        faults = httpx.get(url + "/_emulator/faults", headers={"x-emulator-token": token}).json()
        assert [f["cut_upload_at"] for f in faults["faults"]] == [1000]
        uploads = httpx.get(url + "/_emulator/uploads", headers={"x-emulator-token": token}).json()
        assert uploads == {"receivedBytes": 0, "resentBytes": 0, "uploads": []}
    finally:
        proc.terminate()
        proc.wait(10)


def test_connections_that_never_finish_their_headers_are_closed() -> None:
    with EmulatorServer(options=EmulatorOptions(header_timeout=0.5)) as s:
        host, port = s.url.removeprefix("http://").split(":")
        idle = socket.create_connection((host, int(port)), timeout=10)
        half = socket.create_connection((host, int(port)), timeout=10)
        half.sendall(f"POST {GEN} HTTP/1.1\r\nHost: 127.0".encode())
        started = time.monotonic()
        with idle, half:
            assert idle.recv(100) == b"" and half.recv(100) == b""
        assert time.monotonic() - started < 5
        # A client that sends its request in time is answered as usual.
        assert httpx.post(s.url + GEN, json=HI).status_code == 200


def test_a_503_fault_can_say_when_to_retry(http: httpx.Client, server: EmulatorServer) -> None:
    server.app.faults.add({"status": 503, "count": 1, "retry_delay": "3s"})
    r = http.post(GEN, json=HI)
    assert r.status_code == 503 and r.headers["retry-after"] == "3"
    assert http.post(GEN, json=HI).status_code == 200


def test_function_responses_may_carry_file_data(http: httpx.Client) -> None:
    # Beyond the Discovery document, as the real server accepts (tests/recorded shows it).
    body = {
        "contents": [
            {"role": "user", "parts": [{"text": "Show me the file."}]},
            {"role": "model", "parts": [{"functionCall": {"name": "get_file", "args": {}}}]},
            {
                "role": "user",
                "parts": [
                    {
                        "functionResponse": {
                            "name": "get_file",
                            "response": {},
                            "parts": [
                                {
                                    "fileData": {
                                        "mimeType": "application/pdf",
                                        "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/k8",
                                    }
                                }
                            ],
                        }
                    }
                ],
            },
        ]
    }
    assert http.post(GEN, json=body).status_code == 200
