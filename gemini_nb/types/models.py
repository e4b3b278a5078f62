"""Model descriptions, as ``models.get`` and ``models.list`` return them."""

from __future__ import annotations

from typing import ClassVar

from ._base import ResponseModel

__all__ = ["Model"]


class Model(ResponseModel):
    """A model's name, limits and the methods it supports."""

    _table_columns: ClassVar[tuple[str, ...]] = (
        "name",
        "display_name",
        "description",
        "version",
        "input_token_limit",
        "output_token_limit",
        "supported_generation_methods",
        "thinking",
        "temperature",
        "max_temperature",
        "top_p",
        "top_k",
    )

    name: str
    base_model_id: str | None = None
    version: str | None = None
    display_name: str | None = None
    description: str | None = None
    input_token_limit: int | None = None
    output_token_limit: int | None = None
    supported_generation_methods: list[str] | None = None
    temperature: float | None = None
    max_temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    thinking: bool | None = None

    @property
    def id(self) -> str:
        """The name without its ``models/`` prefix, as you pass it to ``generate_content``."""
        return self.name.split("/", 1)[1] if "/" in self.name else self.name
