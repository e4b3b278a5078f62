"""The emulator's file search stores over loopback: the recorded shapes, ingestion that really
happens (text, Markdown, HTML, PDF; chunking as configured), retrieval that cites the right
document, AIP-160 metadata filters, the real errors with nothing half-created, and
google-genai's store, document and file search calls."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gemini_nb.emulator import EmulatorServer

MODEL = "gemini-2.5-flash"

# A small corpus: each document holds one fact no other one does.
CORPUS = {
    "leave.md": (
        "text/markdown",
        "# Leave policy\n\nEmployees receive 27 days of paid annual leave each calendar year. "
        "Unused leave may be carried over until the end of March.\n",
    ),
    "security.txt": (
        "text/plain",
        "Every laptop must use full-disk encryption. Passwords are rotated every 90 days. "
        "Suspected phishing emails go to the security desk on extension 4410.\n",
    ),
    "canteen.html": (
        "text/html",
        "<html><head><title>Canteen</title><style>.menu{color:red}</style>"
        "<script>var lasagne = 'not text';</script></head><body><h1>Canteen</h1>"
        "<p>The canteen serves vegetarian lasagne every Thursday.</p>"
        "<p>It opens at half past eleven and closes at two.</p></body></html>",
    ),
    "parking.md": (
        "text/markdown",
        "## Parking\n\nThe bicycle shed behind building C has 140 racks. "
        "Car parking permits are issued by the facilities office.\n",
    ),
    "travel.txt": (
        "text/plain",
        "Business trips abroad need approval from a director two weeks ahead. "
        "Train travel is preferred for journeys under five hours.\n",
    ),
}
QUESTIONS = {
    "How many days of paid annual leave do employees receive?": "leave.md",
    "How often are passwords rotated?": "security.txt",
    "What does the canteen serve on Thursday?": "canteen.html",
    "How many bicycle racks are in the shed?": "parking.md",
    "Who approves business trips abroad?": "travel.txt",
}


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as s:
        yield s


@pytest.fixture
def api(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + "/v1beta/", timeout=30) as c:
        yield c


def ok(r: httpx.Response) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


def error(r: httpx.Response) -> tuple[int, str, str]:
    e = r.json()["error"]
    return r.status_code, e["status"], e["message"]


def create(api: httpx.Client, display: str = "Test Store") -> dict[str, Any]:
    return ok(api.post("fileSearchStores", json={"displayName": display}))  # type: ignore[no-any-return]


def start_upload(
    server: EmulatorServer, store: str, metadata: dict[str, Any], size: int, mime: str | None = None
) -> httpx.Response:
    headers = {
        "X-Goog-Upload-Protocol": "resumable",
        "X-Goog-Upload-Command": "start",
        "X-Goog-Upload-Header-Content-Length": str(size),
    }
    if mime:
        headers["X-Goog-Upload-Header-Content-Type"] = mime
    return httpx.post(
        f"{server.url}/upload/v1beta/{store}:uploadToFileSearchStore",
        json=metadata,
        headers=headers,
    )


def upload(server: EmulatorServer, store: str, data: bytes, **metadata: Any) -> dict[str, Any]:
    start = start_upload(server, store, metadata, len(data))
    assert start.status_code == 200, start.text
    url = start.headers["x-goog-upload-url"]
    final = httpx.post(
        url,
        content=data,
        headers={"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"},
    )
    assert final.status_code == 200, final.text
    assert final.headers["x-goog-upload-status"] == "final"
    return final.json()  # type: ignore[no-any-return]


def settle(server: EmulatorServer, seconds: float = 30) -> None:
    server.app.store.clock.advance(seconds)


def ask(api: httpx.Client, question: str, tool: dict[str, Any], **extra: Any) -> httpx.Response:
    body = {
        "contents": [{"role": "user", "parts": [{"text": question}]}],
        "tools": [{"fileSearch": tool}],
        **extra,
    }
    return api.post(f"models/{MODEL}:generateContent", json=body)


def corpus_store(server: EmulatorServer, api: httpx.Client) -> dict[str, str]:
    """A store holding CORPUS; {file name: document name}."""
    store = create(api, "Handbook")["name"]
    names = {}
    for index, (file, (mime, text)) in enumerate(CORPUS.items()):
        op = upload(
            server,
            store,
            text.encode(),
            displayName=file,
            mimeType=mime,
            customMetadata=[
                {"key": "kind", "stringValue": file.rsplit(".", 1)[1]},
                {"key": "year", "numericValue": 2020 + index},
                {"key": "tags", "stringListValue": {"values": ["policy", f"t{index}"]}},
            ],
        )
        names[file] = op["response"]["documentName"]
    settle(server)
    return {"store": store, **names}


def make_pdf(pages: list[str]) -> bytes:
    """A small text PDF, one page per string (Helvetica, one line per sentence)."""
    objects: list[bytes] = []
    kids = []
    for index, text in enumerate(pages):
        lines = [s.strip() for s in re.split(r"(?<=\.)\s+", text) if s.strip()]
        ops = (
            "BT /F1 11 Tf 72 720 Td 14 TL "
            + " ".join(
                "({}) '".format(line.replace("(", r"\(").replace(")", r"\)")) for line in lines
            )
            + " ET"
        )
        content = ops.encode("latin-1")
        page_no = 4 + 2 * index
        kids.append(f"{page_no} 0 R")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources "
            f"<< /Font << /F1 3 0 R >> >> /Contents {page_no + 1} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    head = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(head + objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


# ----------------------------------------------------------------------------- stores


def test_store_is_named_from_its_display_name_and_shaped_as_recorded(api: httpx.Client) -> None:
    store = create(api, "test-file-search-grounding-stream")
    assert re.fullmatch(r"fileSearchStores/testfilesearchgroundingstre-[a-z0-9]{12}", store["name"])
    assert set(store) == {"name", "displayName", "createTime", "updateTime", "embeddingModel"}
    assert store["embeddingModel"] == "models/gemini-embedding-001"
    assert store["createTime"] == store["updateTime"]
    spaced = create(api, "first VectorStore")
    assert re.fullmatch(r"fileSearchStores/first-vectorstore-[a-z0-9]{12}", spaced["name"])
    bare = ok(api.post("fileSearchStores", json={}))
    assert re.fullmatch(r"fileSearchStores/[a-z0-9]{12}-[a-z0-9]{12}", bare["name"])
    assert "displayName" not in bare
    assert ok(api.get(store["name"])) == store

    listed = ok(api.get("fileSearchStores", params={"pageSize": 2}))
    assert [s["name"] for s in listed["fileSearchStores"]] == [store["name"], spaced["name"]]
    rest = ok(api.get("fileSearchStores", params={"pageToken": listed["nextPageToken"]}))
    assert [s["name"] for s in rest["fileSearchStores"]] == [bare["name"]]

    wrong = api.post("fileSearchStores", json={"embeddingModel": "models/gemini-2.5-flash"})
    assert error(wrong)[:2] == (400, "INVALID_ARGUMENT")
    long = api.post("fileSearchStores", json={"displayName": "x" * 513})
    assert error(long)[:2] == (400, "INVALID_ARGUMENT")
    assert ok(api.delete(store["name"])) == {}
    assert error(api.get(store["name"]))[:2] == (403, "PERMISSION_DENIED")


def test_upload_makes_a_pending_document_that_becomes_active(
    server: EmulatorServer, api: httpx.Client
) -> None:
    store = create(api)["name"]
    text = b"Paris is the capital of France. The Eiffel Tower is a famous landmark in Paris.\n"
    op = upload(server, store, text, mimeType="text/plain")
    # As recorded: the response at once, `done` left out until the document is processed.
    assert set(op) == {"name", "response"}
    doc_id = op["name"].rsplit("/", 1)[1]
    assert op["name"] == f"{store}/upload/operations/{doc_id}"
    assert op["response"] == {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.UploadToFileSearchStoreResponse",
        "parent": store,
        "documentName": f"{store}/documents/{doc_id}",
        "mimeType": "text/plain",
        "sizeBytes": str(len(text)),
    }
    doc = ok(api.get(op["response"]["documentName"]))
    assert doc["state"] == "STATE_PENDING" and doc["sizeBytes"] == str(len(text))
    assert ok(api.get(store))["pendingDocumentsCount"] == "1"
    assert ok(api.get(op["name"])) == {"name": op["name"]}

    settle(server)
    done = ok(api.get(op["name"]))
    assert done["done"] is True and done["response"]["documentName"] == doc["name"]
    # The same document's operation under operations/ answers an ImportFileResponse of bare ids.
    imported = ok(api.get(f"{store}/operations/{doc_id}"))
    assert imported["response"] == {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.ImportFileResponse",
        "parent": store.removeprefix("fileSearchStores/"),
        "documentName": doc_id,
    }
    active = ok(api.get(doc["name"]))
    assert active["state"] == "STATE_ACTIVE" and active["updateTime"] > active["createTime"]
    counted = ok(api.get(store))
    assert counted["activeDocumentsCount"] == "1" and counted["sizeBytes"] == str(len(text))
    assert "pendingDocumentsCount" not in counted
    assert ok(api.get(f"{store}/documents"))["documents"] == [active]


def test_import_file_from_the_files_api(server: EmulatorServer, api: httpx.Client) -> None:
    store = create(api)["name"]
    start = httpx.post(
        f"{server.url}/upload/v1beta/files",
        json={"file": {"displayName": "notes.md"}},
        headers={
            "X-Goog-Upload-Protocol": "resumable",
            "X-Goog-Upload-Command": "start",
            "X-Goog-Upload-Header-Content-Type": "text/markdown",
        },
    )
    body = b"# Notes\n\nThe observatory dome opens at dusk on clear nights.\n"
    file = httpx.post(
        start.headers["x-goog-upload-url"],
        content=body,
        headers={"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"},
    ).json()["file"]
    op = ok(
        api.post(
            f"{store}:importFile",
            json={"fileName": file["name"], "customMetadata": [{"key": "k", "string_value": "v"}]},
        )
    )
    assert re.fullmatch(rf"{store}/operations/[a-z0-9]+-[a-z0-9]{{12}}", op["name"])
    assert "done" not in op
    settle(server)
    done = ok(api.get(op["name"]))
    doc_name = f"{store}/documents/{done['response']['documentName']}"
    doc = ok(api.get(doc_name))
    assert doc["displayName"] == "notes.md" and doc["mimeType"] == "text/markdown"
    assert doc["customMetadata"] == [{"key": "k", "stringValue": "v"}]
    missing = api.post(f"{store}:importFile", json={"fileName": "files/nosuchfile"})
    assert error(missing)[:2] == (403, "PERMISSION_DENIED")


# ----------------------------------------------------------------------------- ingestion


def test_chunking_follows_the_white_space_config(server: EmulatorServer, api: httpx.Client) -> None:
    store = create(api)["name"]
    words = [f"w{i}" for i in range(100)]
    op = upload(
        server,
        store,
        " ".join(words).encode(),
        mimeType="text/plain",
        chunkingConfig={"whiteSpaceConfig": {"maxTokensPerChunk": 30, "maxOverlapTokens": 5}},
    )
    settle(server)
    record = server.app.store.collection("fileSearchStores")[store]
    chunks = record.documents[op["response"]["documentName"]].chunks
    cut = [c.text.split() for c in chunks]
    assert cut[0] == words[:30] and cut[1] == words[25:55] and cut[-1][-1] == "w99"
    assert all(len(c) <= 30 for c in cut)
    assert [c[:5] for c in cut[1:]] == [p[-5:] for p in cut[:-1]]
    for bad, message in [
        ({"maxTokensPerChunk": 20}, "between 21 and 512"),
        ({"maxTokensPerChunk": 513}, "between 21 and 512"),
        ({"maxTokensPerChunk": 50, "maxOverlapTokens": 50}, "less than"),
    ]:
        r = start_upload(server, store, {"chunkingConfig": {"whiteSpaceConfig": bad}}, 10)
        assert error(r)[:2] == (400, "INVALID_ARGUMENT") and message in error(r)[2]


def test_pdf_and_html_text_is_extracted(server: EmulatorServer, api: httpx.Client) -> None:
    store = create(api)["name"]
    pdf = make_pdf(
        [
            # 21 words: the first chunk is exactly this page.
            "The harbour crane lifts forty tonnes. It was installed in 1998 by the port "
            "authority of the northern river delta.",
            "The lighthouse keeper logs every ship. The fog horn sounds twice a minute.",
        ]
    )
    chunking = {"whiteSpaceConfig": {"maxTokensPerChunk": 21, "maxOverlapTokens": 0}}
    # The type is sniffed from the bytes.
    upload(server, store, pdf, displayName="port.pdf", chunkingConfig=chunking)
    upload(server, store, CORPUS["canteen.html"][1].encode(), displayName="canteen.html")
    settle(server)
    docs = ok(api.get(f"{store}/documents"))["documents"]
    assert {d["mimeType"] for d in docs} == {"application/pdf", "text/html"}
    r = ok(ask(api, "How often does the fog horn sound?", {"fileSearchStoreNames": [store]}))
    chunk = r["candidates"][0]["groundingMetadata"]["groundingChunks"][0]["retrievedContext"]
    assert chunk["title"] == "port.pdf" and chunk["pageNumber"] == 2
    assert "fog horn sounds twice a minute" in r["candidates"][0]["content"]["parts"][0]["text"]
    html = ok(ask(api, "What does the canteen serve?", {"fileSearchStoreNames": [store]}))
    text = html["candidates"][0]["groundingMetadata"]["groundingChunks"][0]["retrievedContext"][
        "text"
    ]
    assert "vegetarian lasagne" in text and "not text" not in text and "color" not in text


# ----------------------------------------------------------------------------- retrieval


def test_each_question_cites_the_one_document_that_answers_it(
    server: EmulatorServer, api: httpx.Client
) -> None:
    names = corpus_store(server, api)
    store = names["store"]
    for question, file in QUESTIONS.items():
        r = ok(ask(api, question, {"fileSearchStoreNames": [store]}))
        cand = r["candidates"][0]
        text = cand["content"]["parts"][-1]["text"]
        meta = cand["groundingMetadata"]
        chunks = [c["retrievedContext"] for c in meta["groundingChunks"]]
        supports = meta["groundingSupports"]
        assert supports, question
        cited = {chunks[i]["uri"] for s in supports for i in s["groundingChunkIndices"]}
        assert cited == {names[file]}, (question, cited)
        assert chunks[0]["title"] == file and chunks[0]["fileSearchStore"] == store
        data = text.encode()
        for support in supports:
            seg = support["segment"]
            assert data[seg.get("startIndex", 0) : seg["endIndex"]].decode() == seg["text"]
            # Every supported sentence is drawn from the passage it cites.
            source = " ".join(chunks[support["groundingChunkIndices"][0]]["text"].split())
            assert seg["text"] in source
    nothing = ok(
        ask(api, "What is the melting point of tungsten?", {"fileSearchStoreNames": [store]})
    )
    assert "groundingMetadata" not in nothing["candidates"][0]
    assert "couldn't find" in nothing["candidates"][0]["content"]["parts"][0]["text"]


def test_top_k_and_tool_invocations(server: EmulatorServer, api: httpx.Client) -> None:
    store = corpus_store(server, api)["store"]
    one = ok(ask(api, "leave, passwords, parking", {"fileSearchStoreNames": [store], "topK": 1}))
    assert len(one["candidates"][0]["groundingMetadata"]["groundingChunks"]) == 1
    shown = ok(
        ask(
            api,
            "How often are passwords rotated?",
            {"file_search_store_names": [store]},
            toolConfig={"includeServerSideToolInvocations": True},
        )
    )
    parts = shown["candidates"][0]["content"]["parts"]
    assert parts[0]["toolCall"]["toolType"] == parts[1]["toolResponse"]["toolType"] == "FILE_SEARCH"
    assert "90 days" in parts[-1]["text"]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ('kind = "md"', {"leave.md", "parking.md"}),
        ("kind=md", {"leave.md", "parking.md"}),
        ("year > 2021", {"canteen.html", "parking.md", "travel.txt"}),
        ("year >= 2021 AND year < 2023", {"security.txt", "canteen.html"}),
        ('kind = "txt" OR kind = "html"', {"security.txt", "canteen.html", "travel.txt"}),
        ('NOT kind = "md" AND year < 2023', {"security.txt", "canteen.html"}),
        (
            '(kind = "md" OR kind = "txt") AND year != 2020',
            {"security.txt", "parking.md", "travel.txt"},
        ),
        ('tags = "t3"', {"parking.md"}),
        ("tags:t1", {"security.txt"}),
        ("custom_metadata.year = 2024", {"travel.txt"}),
        ("missing = 1", set()),
    ],
)
def test_metadata_filters_choose_the_documents(
    server: EmulatorServer, api: httpx.Client, flt: str, expected: set[str]
) -> None:
    names = corpus_store(server, api)
    by_name = {v: k for k, v in names.items()}
    for question, file in QUESTIONS.items():
        tool = {"fileSearchStoreNames": [names["store"]], "metadataFilter": flt, "topK": 20}
        r = ok(ask(api, question, tool))
        meta = r["candidates"][0].get("groundingMetadata") or {}
        docs = {by_name[c["retrievedContext"]["uri"]] for c in meta.get("groundingChunks", [])}
        # Only documents the filter lets through are retrieved, and the one that answers
        # the question is among them when it passes.
        assert docs <= expected, (flt, question)
        assert (file in docs) == (file in expected), (flt, question)


@pytest.mark.parametrize(
    "flt",
    [
        'kind = "md',
        "year >",
        "AND year > 2",
        "(kind = md",
        "year > 2020)",
        "year 2020",
        "kind = md OR",
    ],
)
def test_a_filter_with_a_syntax_error_is_a_400(
    server: EmulatorServer, api: httpx.Client, flt: str
) -> None:
    store = create(api)["name"]
    r = ask(api, "anything", {"fileSearchStoreNames": [store], "metadataFilter": flt})
    code, status, message = error(r)
    assert (code, status) == (400, "INVALID_ARGUMENT") and "metadata_filter" in message


# ----------------------------------------------------------------------------- bad input


def test_unsupported_types_are_refused_and_nothing_is_made(
    server: EmulatorServer, api: httpx.Client
) -> None:
    store = create(api)["name"]
    declared = start_upload(server, store, {"mimeType": "image/png"}, 10)
    assert error(declared)[:2] == (400, "INVALID_ARGUMENT") and "image/png" in error(declared)[2]
    # Undeclared and sniffed at the end: a PNG is refused when its bytes arrive.
    start = start_upload(server, store, {"displayName": "photo"}, 12)
    final = httpx.post(
        start.headers["x-goog-upload-url"],
        content=b"\x89PNG\r\n\x1a\n\x00\x00\x00\x00",
        headers={"X-Goog-Upload-Command": "upload, finalize", "X-Goog-Upload-Offset": "0"},
    )
    assert final.status_code == 400 and "Unsupported MIME type" in final.text
    assert ok(api.get(f"{store}/documents")) == {}
    assert set(ok(api.get(store))) == {
        "name",
        "displayName",
        "createTime",
        "updateTime",
        "embeddingModel",
    }
    too_many = [{"key": f"k{i}", "stringValue": "v"} for i in range(21)]
    assert error(start_upload(server, store, {"customMetadata": too_many}, 10))[0] == 400
    two_values = [{"key": "k", "stringValue": "v", "numericValue": 1}]
    assert error(start_upload(server, store, {"customMetadata": two_values}, 10))[0] == 400
    assert error(start_upload(server, "fileSearchStores/nope-123", {}, 10))[:2] == (
        403,
        "PERMISSION_DENIED",
    )
    big = start_upload(server, store, {}, 100 * 1024 * 1024 + 1)
    assert big.status_code == 400


def test_a_document_that_cannot_be_read_fails(server: EmulatorServer, api: httpx.Client) -> None:
    store = create(api)["name"]
    op = upload(server, store, b"%PDF-1.4 this is not really a pdf", mimeType="application/pdf")
    settle(server)
    done = ok(api.get(op["name"]))
    assert done["done"] is True and done["error"]["code"] == 400
    assert ok(api.get(op["response"]["documentName"]))["state"] == "STATE_FAILED"
    assert ok(api.get(store))["failedDocumentsCount"] == "1"


def test_deleting_needs_force_when_there_is_something_inside(
    server: EmulatorServer, api: httpx.Client
) -> None:
    store = create(api)["name"]
    doc = upload(server, store, b"Some words to keep in a chunk here.", mimeType="text/plain")
    doc_name = doc["response"]["documentName"]
    settle(server)
    code, status, message = error(api.delete(store))
    assert (code, status) == (400, "FAILED_PRECONDITION") and "force" in message
    assert error(api.delete(doc_name))[:2] == (400, "FAILED_PRECONDITION")
    assert ok(api.get(doc_name))["state"] == "STATE_ACTIVE"
    assert ok(api.delete(doc_name, params={"force": "True"})) == {}
    assert error(api.get(doc_name))[:2] == (403, "PERMISSION_DENIED")
    upload(server, store, b"Another document with some words.", mimeType="text/plain")
    assert ok(api.delete(store, params={"force": "true"})) == {}
    assert error(api.get(store))[0] == 403


def test_an_unknown_store_in_the_tool_is_refused(server: EmulatorServer, api: httpx.Client) -> None:
    r = ask(api, "What is in there?", {"fileSearchStoreNames": ["fileSearchStores/nope-abc"]})
    assert error(r)[:2] == (403, "PERMISSION_DENIED")


# ----------------------------------------------------------------------------- the official SDK

genai = pytest.importorskip("google.genai")


@pytest.fixture
def sdk(server: EmulatorServer) -> Iterator[Any]:
    client = genai.Client(api_key="AIzaEMULATORKEY", http_options={"base_url": server.url})
    yield client
    client.close()


def test_official_sdk_stores_documents_and_file_search(
    server: EmulatorServer, sdk: Any, tmp_path: Any
) -> None:
    from google.genai import types

    store = sdk.file_search_stores.create(config={"display_name": "sdk store"})
    assert store.name.startswith("fileSearchStores/sdk-store-")
    for file, (mime, text) in CORPUS.items():
        path = tmp_path / file
        path.write_text(text)
        op = sdk.file_search_stores.upload_to_file_search_store(
            file_search_store_name=store.name,
            file=str(path),
            config={
                "display_name": file,
                "mime_type": mime,
                "custom_metadata": [{"key": "kind", "string_value": file.rsplit(".", 1)[1]}],
                "chunking_config": {"white_space_config": {"max_tokens_per_chunk": 100}},
            },
        )
        assert op.response.document_name.startswith(f"{store.name}/documents/")
    settle(server)
    op = sdk.operations.get(op)
    assert op.done
    docs = list(sdk.file_search_stores.documents.list(parent=store.name))
    assert len(docs) == len(CORPUS) and {d.state.name for d in docs} == {"STATE_ACTIVE"}
    got = sdk.file_search_stores.documents.get(name=docs[0].name)
    assert got.display_name == "leave.md" and got.custom_metadata[0].string_value == "md"
    fetched = sdk.file_search_stores.get(name=store.name)
    assert fetched.active_documents_count == len(CORPUS)
    assert store.name in [s.name for s in sdk.file_search_stores.list()]

    r = sdk.models.generate_content(
        model=MODEL,
        contents="How often are passwords rotated?",
        config=types.GenerateContentConfig(
            tools=[types.Tool(file_search=types.FileSearch(file_search_store_names=[store.name]))]
        ),
    )
    assert "90 days" in r.text
    chunk = r.candidates[0].grounding_metadata.grounding_chunks[0].retrieved_context
    assert chunk.title == "security.txt" and chunk.file_search_store == store.name
    filtered = sdk.models.generate_content(
        model=MODEL,
        contents="How often are passwords rotated?",
        config=types.GenerateContentConfig(
            tools=[
                types.Tool(
                    file_search=types.FileSearch(
                        file_search_store_names=[store.name], metadata_filter='kind = "md"', top_k=3
                    )
                )
            ]
        ),
    )
    titles = {
        c.retrieved_context.title if c.retrieved_context else None
        for c in (
            filtered.candidates[0].grounding_metadata or types.GroundingMetadata()
        ).grounding_chunks
        or []
    }
    assert titles <= {"leave.md", "parking.md"}
    with pytest.raises(genai.errors.ClientError) as bad:
        sdk.models.generate_content(
            model=MODEL,
            contents="x",
            config=types.GenerateContentConfig(
                tools=[
                    types.Tool(
                        file_search=types.FileSearch(
                            file_search_store_names=[store.name], metadata_filter="kind = (md"
                        )
                    )
                ]
            ),
        )
    assert bad.value.code == 400

    file = sdk.files.upload(file=str(tmp_path / "travel.txt"))
    imported = sdk.file_search_stores.import_file(
        file_search_store_name=store.name, file_name=file.name
    )
    assert imported.name.startswith(f"{store.name}/operations/")
    settle(server)
    assert sdk.operations.get(imported).done

    with pytest.raises(genai.errors.ClientError):
        sdk.file_search_stores.delete(name=store.name)
    sdk.file_search_stores.documents.delete(name=docs[0].name, config={"force": True})
    assert len(list(sdk.file_search_stores.documents.list(parent=store.name))) == len(CORPUS)
    sdk.file_search_stores.delete(name=store.name, config={"force": True})
    with pytest.raises(genai.errors.ClientError):
        sdk.file_search_stores.get(name=store.name)


# ----------------------------------------------------------------------------- the filter itself

META: dict[str, Any] = {
    "author": "Robert Graves",
    "year": 1934.0,
    "tags": ["novel", "rome"],
    "isbn": "0679724770",
}


@pytest.mark.parametrize(
    ("flt", "matches"),
    [
        ('author = "Robert Graves"', True),
        ("author = Robert Graves", True),  # the file search guide's unquoted form
        ("author = 'Robert Graves'", True),
        ('author != "Robert Graves"', False),
        ('author:"graves"', True),
        ("year = 1934", True),
        ("year >= 1934 AND year < 1935", True),
        ("year > 1934", False),
        ("isbn > 600000000", True),  # a string that reads as a number compares as one
        ('tags = "rome"', True),
        ("tags:novel", True),
        ('tags = "greece"', False),
        ("author:*", True),
        ("missing:*", False),
        ("NOT missing = 1", True),
        ('year = 1 OR author = "Robert Graves"', True),
        # OR binds tighter than AND (AIP-160): false AND (x OR y).
        ('year = 1 AND year = 2 OR author = "Robert Graves"', False),
        ('(year = 1 AND year = 2) OR author = "Robert Graves"', True),
        ('year = 1934 author = "Robert Graves"', True),  # juxtaposition is AND
        ("document.custom_metadata.year = 1934", True),
        (r'author = "Robert \"Bob\" Graves"', False),
    ],
)
def test_filter_expressions(flt: str, matches: bool) -> None:
    from gemini_nb.emulator.model.metadata_filter import compile_filter

    assert compile_filter(flt)(META) is matches


@pytest.mark.parametrize(
    "flt",
    [
        "",
        "   ",
        "year >",
        "= 3",
        "(year = 1",
        "year = 1)",
        "year = 1 AND",
        'a = "x',
        "year ~ 3",
        "NOT",
        "()",
        "1year = 3",
    ],
)
def test_filter_syntax_errors_say_where(flt: str) -> None:
    from gemini_nb.emulator.model.metadata_filter import FilterSyntaxError, compile_filter

    with pytest.raises(FilterSyntaxError) as err:
        compile_filter(flt)
    assert 0 <= err.value.position <= len(flt)


def test_office_documents_are_read(server: EmulatorServer, api: httpx.Client) -> None:
    import io
    import zipfile

    docx = io.BytesIO()
    body = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>The greenhouse is watered</w:t></w:r><w:r><w:t> at seven "
        "every evening.</w:t></w:r></w:p></w:body></w:document>"
    )
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", body)
    store = create(api)["name"]
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    upload(server, store, docx.getvalue(), displayName="garden.docx", mimeType=mime)
    upload(server, store, b"PK\x03\x04 not a zip", displayName="broken.docx", mimeType=mime)
    settle(server)
    states = {d["displayName"]: d["state"] for d in ok(api.get(f"{store}/documents"))["documents"]}
    assert states == {"garden.docx": "STATE_ACTIVE", "broken.docx": "STATE_FAILED"}
    r = ok(ask(api, "When is the greenhouse watered?", {"fileSearchStoreNames": [store]}))
    assert r["candidates"][0]["content"]["parts"][0]["text"] == (
        "The greenhouse is watered at seven every evening."
    )
