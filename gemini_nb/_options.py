"""Config objects the way google-genai takes them: a typed config, a dict (snake_case or
camelCase), or plain keywords; and the per-call ``http_options`` any of them may carry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ._exceptions import InvalidInputError
from .types import HttpOptions

__all__ = ["coerce_config_as", "http_options_of"]

C = TypeVar("C", bound=BaseModel)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"])
    return f"{loc}: {err['msg']}" if loc else err["msg"]


def coerce_config_as(cls: type[C], config: Any, **keywords: Any) -> C:
    """``cls`` from ``config`` (None, a ``cls``, a dict, or a pydantic config of the same
    fields, such as google-genai's) with the non-None ``keywords`` on top.

    A wrong type or an unknown field is an :class:`InvalidInputError` naming the field.
    """
    if config is None:
        data: dict[str, Any] = {}
    elif isinstance(config, cls):
        data = {k: getattr(config, k) for k in config.model_fields_set}
    elif isinstance(config, Mapping):
        data = dict(config)
    elif isinstance(config, BaseModel):
        # Another library's config of the same shape (google-genai's, say): its set fields.
        data = config.model_dump(exclude_none=True)
        if "http_options" in data:
            data["http_options"] = _foreign_http_options(getattr(config, "http_options", None))
    else:
        raise InvalidInputError(
            f"config must be a {cls.__name__} or a dict, not {type(config).__name__}."
        )
    extra = {k: v for k, v in keywords.items() if v is not None}
    if extra:
        # Keywords win over the same field in config, whichever spelling config used.
        camel = {name: f.alias for name, f in cls.model_fields.items() if f.alias}
        for key in extra:
            data.pop(camel.get(key, key), None)
        data.update(extra)
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise InvalidInputError(f"Invalid {cls.__name__}: {_first_error(exc)}") from None


def _foreign_http_options(value: Any) -> Any:
    """google-genai's HttpOptions counts its timeout in milliseconds; ours in seconds."""
    if not isinstance(value, BaseModel):
        return value
    data = value.model_dump(exclude_none=True)
    if type(value).__module__.startswith("google.genai") and "timeout" in data:
        data["timeout"] = data["timeout"] / 1000
    return data


def http_options_of(config: Any) -> HttpOptions | None:
    """The ``http_options`` of any config object or dict, validated; None when absent."""
    if config is None:
        return None
    if isinstance(config, Mapping):
        value = config.get("http_options", config.get("httpOptions"))
    else:
        value = getattr(config, "http_options", None)
    if value is None or isinstance(value, HttpOptions):
        return value
    try:
        return HttpOptions.model_validate(_foreign_http_options(value))
    except ValidationError as exc:
        raise InvalidInputError(f"Invalid http_options: {_first_error(exc)}") from None
