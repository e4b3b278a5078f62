"""Incremental decoder for the body of ``streamGenerateContent``, in either framing.

With ``alt=sse`` the body is server-sent events. Bytes arrive split anywhere, even inside a
UTF-8 sequence or between CR and LF. Lines end at CR, LF or CRLF only (U+2028 inside JSON is
text, not a line break). ``data:`` lines are joined with newlines until a blank line ends the
event. A line that is not an SSE field but starts a JSON document (an error body sent without
SSE framing) is collected until its braces balance, then reported as one event.

Without ``alt=sse`` (and from gateways and proxies that re-frame the stream) the body is one
JSON array of chunks, ``[{...},\r\n{...}]``, sent as the chunks are made. An SSE body never
starts with ``[``, so the first non-space byte decides: an array is cut into its elements as
they complete (:class:`JSONArraySplitter`), each reported as one event.
"""

from __future__ import annotations

import re

__all__ = ["JSONArraySplitter", "SSEDecoder"]


class SSEDecoder:
    """Feed bytes, get complete event payloads (the JSON text of each event)."""

    __slots__ = ("_array", "_buf", "_data", "_depth", "_raw", "_started")

    def __init__(self) -> None:
        self._buf = bytearray()
        self._data: list[str] = []
        self._raw: list[str] = []
        self._depth = 0
        self._started = False
        self._array: JSONArraySplitter | None = None

    def feed(self, chunk: bytes) -> list[str]:
        if not self._started:
            head = chunk.lstrip()
            if not head:
                return []
            self._started = True
            if head[:1] == b"[":
                self._array = JSONArraySplitter()
        if self._array is not None:
            return self._array.feed(chunk)
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
        if self._array is not None:
            return self._array.close()
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


# Outside strings only these bytes matter; inside a string only the quote and the backslash.
_STRUCTURAL = re.compile(rb'[][{}",]')
_STRING_END = re.compile(rb'["\\]')
_NOT_SPACE = re.compile(rb"[^ \t\r\n]")
_SCALAR_END = re.compile(rb"[ \t\r\n,\]]")


class JSONArraySplitter:
    """Feed the bytes of a JSON array, get the JSON text of each element once it is complete.

    Only the array's own structure is parsed (nesting, strings and their escapes), so the cost
    is one regex scan per structural byte; each element is then parsed by whoever reads it.
    Bytes after the closing ``]`` are ignored. An element cut off by the end of the body is
    reported as it is, so that decoding it fails loudly instead of being dropped.
    """

    __slots__ = (
        "_buf",
        "_closed",
        "_depth",
        "_escaped",
        "_in_element",
        "_in_string",
        "_pos",
        "_scalar",
        "_start",
    )

    def __init__(self) -> None:
        self._buf = bytearray()
        self._pos = 0  # next byte of _buf to look at
        self._start = 0  # where the current element starts in _buf
        self._depth = 0  # 0 before the "[", 1 between elements, more inside one
        self._in_element = False
        self._in_string = False
        self._escaped = False
        self._scalar = False  # the current element is a bare number, true, false or null
        self._closed = False

    def feed(self, chunk: bytes) -> list[str]:
        if self._closed:
            return []
        self._buf += chunk
        events: list[str] = []
        buf = self._buf
        pos = self._pos
        n = len(buf)
        done = 0  # bytes of buf that no later element needs
        while pos < n:
            if self._in_string:
                if self._escaped:
                    self._escaped = False
                    pos += 1
                    continue
                m = _STRING_END.search(buf, pos)
                if m is None:
                    pos = n
                    break
                pos = m.end()
                if m.group() == b"\\":
                    self._escaped = True
                    continue
                self._in_string = False
                if self._depth == 1:  # a string element ends with its quote
                    events.append(self._element(pos))
                    done = pos
                continue
            if not self._in_element:
                m = _NOT_SPACE.search(buf, pos)
                if m is None:
                    pos = n
                    break
                pos = m.start()
                byte = buf[pos]
                if self._depth == 0:
                    if byte != 0x5B:  # "["
                        raise ValueError("a JSON-array stream must start with '['")
                    self._depth = 1
                    pos += 1
                    done = pos
                    continue
                if byte == 0x2C:  # "," between elements
                    pos += 1
                    done = pos
                    continue
                if byte == 0x5D:  # "]" closes the array
                    self._closed = True
                    done = n
                    break
                self._in_element = True
                self._start = pos
                if byte in (0x7B, 0x5B):  # "{" or "["
                    self._depth += 1
                elif byte == 0x22:  # '"'
                    self._in_string = True
                else:
                    self._scalar = True
                pos += 1
                continue
            if self._scalar:
                m = _SCALAR_END.search(buf, pos)
                if m is None:
                    pos = n
                    break
                pos = m.start()
                self._scalar = False
                events.append(self._element(pos))
                done = pos
                continue
            m = _STRUCTURAL.search(buf, pos)
            if m is None:
                pos = n
                break
            pos = m.end()
            byte = buf[pos - 1]
            if byte == 0x22:
                self._in_string = True
            elif byte in (0x7B, 0x5B):
                self._depth += 1
            elif byte in (0x7D, 0x5D):
                self._depth -= 1
                if self._depth == 1:
                    events.append(self._element(pos))
                    done = pos
        # Drop what is finished, once per feed (not once per element): linear in the body.
        if done:
            del buf[:done]
            pos -= done
            self._start -= done
        self._pos = pos
        return events

    def _element(self, end: int) -> str:
        self._in_element = False
        return self._buf[self._start : end].decode("utf-8")

    def close(self) -> list[str]:
        """The end of the body: an unfinished element is reported as it is."""
        if self._closed or not self._in_element:
            return []
        self._closed = True
        text = self._buf[self._start :].decode("utf-8", "replace").strip()
        return [text] if text else []
