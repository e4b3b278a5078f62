"""What to tell the user when an answer is not a plain success: finish reasons, blocked
prompts, failed code, and errors (with anything that looks like an API key removed)."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ErrorInfo",
    "block_note",
    "error_info",
    "finish_note",
    "magic_hint",
    "outcome_note",
    "redact",
]

# Finish reasons that mean the answer is complete (the same set as the types module uses).
_NORMAL = frozenset({"STOP", "FINISH_REASON_UNSPECIFIED"})

_FINISH: dict[str, tuple[str, str]] = {
    "MAX_TOKENS": (
        "Cut off (MAX_TOKENS)",
        "The answer hit the output token limit: raise max_output_tokens (thinking tokens "
        "count against it too), or ask for a shorter answer.",
    ),
    "SAFETY": (
        "Stopped by safety filters (SAFETY)",
        "See candidate.safety_ratings; rephrase the prompt or adjust safety_settings.",
    ),
    "RECITATION": (
        "Stopped for recitation (RECITATION)",
        "The answer was too close to existing material; rephrase, or ask for a summary "
        "in the model's own words.",
    ),
    "LANGUAGE": (
        "Unsupported language (LANGUAGE)",
        "The answer was in a language the model does not support; ask for another language.",
    ),
    "BLOCKLIST": (
        "Blocked term (BLOCKLIST)",
        "The answer contained a term from a blocklist; rephrase the prompt.",
    ),
    "PROHIBITED_CONTENT": (
        "Prohibited content (PROHIBITED_CONTENT)",
        "The answer was stopped for prohibited content; this cannot be configured.",
    ),
    "SPII": (
        "Sensitive personal information (SPII)",
        "The answer was stopped because it contained sensitive personal information.",
    ),
    "MALFORMED_FUNCTION_CALL": (
        "Malformed function call (MALFORMED_FUNCTION_CALL)",
        "The model produced a function call that does not parse; retry, or simplify the "
        "function declarations and their parameter schemas.",
    ),
    "UNEXPECTED_TOOL_CALL": (
        "Unexpected tool call (UNEXPECTED_TOOL_CALL)",
        "The model called a tool that is not enabled; check tools and tool_config.",
    ),
    "TOO_MANY_TOOL_CALLS": (
        "Too many tool calls (TOO_MANY_TOOL_CALLS)",
        "The model called tools too many times in a row; simplify the task or the tools.",
    ),
    "MISSING_THOUGHT_SIGNATURE": (
        "Missing thought signature (MISSING_THOUGHT_SIGNATURE)",
        "Send earlier model turns back unchanged (a chat does this for you).",
    ),
    "IMAGE_SAFETY": (
        "Image stopped by safety filters (IMAGE_SAFETY)",
        "Rephrase the prompt for the image.",
    ),
    "IMAGE_PROHIBITED_CONTENT": (
        "Image prohibited (IMAGE_PROHIBITED_CONTENT)",
        "The image was stopped for prohibited content; rephrase the prompt.",
    ),
    "IMAGE_RECITATION": (
        "Image recitation (IMAGE_RECITATION)",
        "The image was too close to existing material; rephrase the prompt.",
    ),
    "IMAGE_OTHER": (
        "Image not generated (IMAGE_OTHER)",
        "The image was stopped for another reason; retry or rephrase.",
    ),
    "NO_IMAGE": (
        "No image (NO_IMAGE)",
        "The model was expected to make an image but did not; ask for the image explicitly.",
    ),
    "OTHER": (
        "Stopped (OTHER)",
        "The answer stopped for an unspecified reason; retrying usually helps.",
    ),
}

_BLOCK: dict[str, str] = {
    "SAFETY": "See response.prompt_feedback.safety_ratings; rephrase the prompt or adjust "
    "safety_settings.",
    "BLOCKLIST": "The prompt contains a term from a blocklist; rephrase it.",
    "PROHIBITED_CONTENT": "The prompt asks for prohibited content; this cannot be configured.",
    "IMAGE_SAFETY": "An image in the prompt was blocked by safety filters.",
    "OTHER": "The prompt was blocked for an unspecified reason; rephrase it.",
}

_OUTCOMES: dict[str, str] = {
    "OUTCOME_FAILED": "the code raised an error (see the output)",
    "OUTCOME_DEADLINE_EXCEEDED": "the code ran too long and was stopped",
}


def finish_note(reason: str | None, message: str | None = None) -> tuple[str, str] | None:
    """(title, advice) for a finish reason that needs attention, else None."""
    if not reason or reason in _NORMAL:
        return None
    title, text = _FINISH.get(
        reason, (f"Stopped ({reason})", "The answer did not finish normally; retry.")
    )
    if message:
        text = f"{text} Server message: {redact(message)[:500]}"
    return title, text


def block_note(reason: str) -> tuple[str, str]:
    return (
        f"Prompt blocked ({reason})",
        _BLOCK.get(reason, "The prompt was blocked; rephrase it."),
    )


def outcome_note(outcome: str) -> str:
    """Why code execution did not succeed ("" for OUTCOME_OK or no outcome)."""
    if not outcome or outcome in ("OUTCOME_OK", "OUTCOME_UNSPECIFIED"):
        return ""
    return _OUTCOMES.get(outcome, "the code did not run successfully")


_KEY = re.compile(r"AIza[0-9A-Za-z_\-]{20,}")
_KEY_PARAM = re.compile(r"((?:[?&]|\b)(?:key|api_key|apiKey|access_token)=)[^&\s\"'<>]+")
_KEY_HEADER = re.compile(
    r"((?:x-goog-api-key|authorization)\s*[:=]\s*)[^\s,;\"']+(?:\s+[^\s,;\"']+)?", re.IGNORECASE
)


def redact(text: str) -> str:
    """``text`` without anything that looks like an API key or a bearer token."""
    text = _KEY.sub("AIza…[redacted]", text)
    text = _KEY_PARAM.sub(r"\1[redacted]", text)
    return _KEY_HEADER.sub(r"\1[redacted]", text)


@dataclass(frozen=True)
class ErrorInfo:
    """An error as the few facts a notebook user needs."""

    title: str  # "RateLimitError: 429 RESOURCE_EXHAUSTED"
    message: str
    hint: str
    request_id: str | None


_MAX_MESSAGE = 2000

_FALLBACK_HINTS: dict[str, str] = {
    "APITimeoutError": "The request took too long; retry, or raise the client's timeout.",
    "APIConnectionError": "Could not reach the API; check the network and the base URL.",
    "KeyboardInterrupt": "Interrupted; what arrived before is shown above.",
}

# What to do, said in the magics' own terms (a notebook user has no `client` variable).
_MAGIC_HINTS: dict[int | str, str] = {
    400: "Check the options and the prompt: the message above names what the API refused.",
    401: "Check the API key: set GEMINI_API_KEY before starting Jupyter and restart the "
    "kernel. `%gemini config` shows where answers come from.",
    403: "The key may not do this: check its project and the API's settings. "
    "`%gemini config` shows which key is used.",
    404: "Check the model name (-m): `%gemini models` lists the models you can use.",
    429: "You are over a rate limit or quota: wait a little and run the cell again.",
    500: "The service had a problem: running the cell again in a moment usually works.",
    "AuthenticationError": "Check the API key: set GEMINI_API_KEY before starting Jupyter "
    "and restart the kernel. `%gemini config` shows where answers come from.",
    "APITimeoutError": "The answer took too long: run the cell again, or ask for less "
    "(--max-tokens).",
    "APIConnectionError": "Could not reach the API: check the network. `%gemini config` "
    "shows where answers come from.",
}


def magic_hint(err: BaseException) -> str:
    """What to do about ``err``, naming the magics rather than the Python client."""
    for cls in type(err).__mro__:
        if cls.__name__ in _MAGIC_HINTS:
            return _MAGIC_HINTS[cls.__name__]
    code = getattr(err, "status_code", None)
    if isinstance(code, int):
        return _MAGIC_HINTS.get(500 if code >= 500 else code, "")
    return ""


def error_info(err: BaseException, *, magic: bool = False) -> ErrorInfo:
    name = type(err).__name__
    status_code = getattr(err, "status_code", None)
    status = getattr(err, "status", None)
    head = " ".join(str(x) for x in (status_code, status) if x not in (None, ""))
    title = f"{name}: {head}" if head else name
    message = getattr(err, "message", None)
    if not isinstance(message, str):
        try:
            message = str(err)
        except Exception:
            message = ""
    message = redact(message.strip())
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + "…"
    hint = magic_hint(err) if magic else getattr(err, "hint", "")
    if not isinstance(hint, str) or not hint:
        hint = next(
            (h for cls in type(err).__mro__ if (h := _FALLBACK_HINTS.get(cls.__name__))), ""
        )
    retry = getattr(err, "retry_delay", None)
    if isinstance(retry, (int, float)) and retry > 0:
        hint = f"{hint} The server suggests retrying in {retry:g} s.".strip()
    request_id = getattr(err, "request_id", None)
    return ErrorInfo(
        title=redact(title),
        message=message,
        hint=redact(hint),
        request_id=redact(str(request_id)) if request_id else None,
    )
