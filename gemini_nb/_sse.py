"""Incremental decoder for the server-sent events of ``streamGenerateContent?alt=sse``.

Bytes arrive split anywhere, even inside a UTF-8 sequence or between CR and LF. Lines end at
CR, LF or CRLF only (U+2028 inside JSON is text, not a line break). ``data:`` lines are joined
with newlines until a blank line ends the event. A line that is not an SSE field but starts a
JSON document (an error body sent without SSE framing) is collected until its braces balance,
then reported as one event.
"""

from __future__ import annotations

__all__ = ["SSEDecoder"]


class SSEDecoder:
    """Feed bytes, get complete event payloads (the JSON text of each event)."""

    __slots__ = ("_buf", "_data", "_depth", "_raw")

    def __init__(self) -> None:
        self._buf = bytearray()
        self._data: list[str] = []
        self._raw: list[str] = []
        self._depth = 0

    def feed(self, chunk: bytes) -> list[str]:
        # A long line (a base64 image) may arrive in thousands of pieces: only append until a
        # line ending shows up, so decoding stays linear in the stream's size.
        held_cr = self._buf[-1:] == b"\r"
        self._buf += chunk
        if not held_cr and b"\n" not in chunk and b"\r" not in chunk:
            return []
        buf = bytes(self._buf)
        events: list[str] = []
        if not self._data and not self._raw:
            buf = self._whole_events(buf, events)
        self._buf = bytearray(self._scan(buf, events))
        return events

    def _whole_events(self, buf: bytes, events: list[str]) -> bytes:
        """Cut out the complete events at the start of ``buf``; return the rest.

        The common event, one ``data: `` line, costs no per-line work; any other event goes
        through :meth:`_scan` with its blank line.
        """
        sep = b"\r\n\r\n" if b"\r\n\r\n" in buf else b"\n\n"
        end = buf.rfind(sep)
        if end == -1:
            return buf
        for block in buf[:end].split(sep):
            if (
                not self._raw
                and block.startswith(b"data: ")
                and block.find(b"\n", 6) == -1
                and block.find(b"\r", 6) == -1
            ):
                events.append(block[6:].decode("utf-8"))
            elif block:
                self._scan(block + sep, events)
        return buf[end + len(sep) :]

    def _scan(self, buf: bytes, events: list[str]) -> bytes:
        """Feed ``buf`` line by line; return the unfinished last line."""
        start = 0
        n = len(buf)
        while True:
            # Find the next line end (CR, LF, or CRLF).
            lf = buf.find(b"\n", start)
            cr = buf.find(b"\r", start, lf if lf != -1 else n)
            if cr != -1:
                if cr + 1 == n:
                    break  # a CR at the very end may be half of a CRLF: wait for more
                end, nxt = cr, cr + 2 if buf[cr + 1 : cr + 2] == b"\n" else cr + 1
            elif lf != -1:
                end, nxt = lf, lf + 1
            else:
                break
            self._line(buf[start:end], events)
            start = nxt
        return buf[start:]

    def close(self) -> list[str]:
        """Flush at end of stream: a final event without its blank line still counts."""
        events: list[str] = []
        if self._buf:
            self._line(bytes(self._buf).rstrip(b"\r"), events)
            self._buf = bytearray()
        self._line(b"", events)
        if self._raw:
            events.append("\n".join(self._raw))
            self._raw = []
        return events

    def _line(self, raw: bytes, events: list[str]) -> None:
        line = raw.decode("utf-8")
        if self._raw:
            self._collect_raw(line, events)
            return
        if not line:
            if self._data:
                events.append("\n".join(self._data))
                self._data.clear()
            return
        if line.startswith("data:"):
            value = line[5:]
            self._data.append(value[1:] if value.startswith(" ") else value)
        elif line.startswith(("{", "[")):
            self._depth = 0
            self._collect_raw(line, events)
        # Other fields (event:, id:, retry:) and ":" comments carry nothing we use.

    def _collect_raw(self, line: str, events: list[str]) -> None:
        self._raw.append(line)
        self._depth += _brace_delta(line)
        if self._depth <= 0:
            events.append("\n".join(self._raw))
            self._raw = []
            self._depth = 0


def _brace_delta(line: str) -> int:
    """Net {/[ nesting change of a line, ignoring brackets inside JSON strings."""
    depth = 0
    in_str = False
    escaped = False
    for ch in line:
        if in_str:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
    return depth
