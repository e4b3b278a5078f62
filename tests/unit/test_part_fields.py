"""Part fields take the shapes the API takes (the Discovery document, and what the real server
accepted where the document says less)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from gemini_nb.types import FunctionResponsePart, Part, PartMediaResolution, to_wire
from tests._shared import REFERENCE, needs_reference

DISCOVERY = REFERENCE / "generativelanguage.v1beta.rev20260831.discovery.json"


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = json.loads(DISCOVERY.read_text())["schemas"]
    return schemas


@needs_reference
def test_media_resolution_is_the_discovery_object() -> None:
    schemas = _schemas()
    ref = schemas["Part"]["properties"]["mediaResolution"]["$ref"]
    levels = schemas[ref]["properties"]["level"]["enum"]
    assert set(schemas[ref]["properties"]) == {"level"} == set(PartMediaResolution.model_fields)
    for level in levels:
        part = Part.model_validate({"text": "x", "mediaResolution": {"level": level}})
        assert to_wire(part) == {"text": "x", "mediaResolution": {"level": level}}


def test_media_resolution_forms() -> None:
    wire = {"mediaResolution": {"level": "MEDIA_RESOLUTION_HIGH"}}
    assert (
        to_wire(Part(media_resolution=PartMediaResolution(level="MEDIA_RESOLUTION_HIGH"))) == wire
    )
    assert to_wire(Part(media_resolution={"level": "MEDIA_RESOLUTION_HIGH"})) == wire
    # The enum string of earlier revisions is still understood, and sent as the object.
    assert to_wire(Part(media_resolution="MEDIA_RESOLUTION_HIGH")) == wire
    with pytest.raises(ValidationError):
        Part(media_resolution={"level": "HIGH", "numTokens": 5})


@needs_reference
def test_function_response_part_has_discovery_fields_and_file_data() -> None:
    documented = set(_schemas()["FunctionResponsePart"]["properties"])
    ours = {
        FunctionResponsePart.model_fields[n].alias or n for n in FunctionResponsePart.model_fields
    }
    # fileData is beyond the document: the real server accepts it (tests/recorded).
    assert ours == documented | {"fileData"}
