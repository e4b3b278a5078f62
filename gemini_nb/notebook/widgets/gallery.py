"""A gallery of pictures: a grid of thumbnails; click one to see it whole, save it or download it.

>>> from gemini_nb.notebook.widgets import GalleryWidget                       # doctest: +SKIP
>>> r = client.models.generate_images(model="imagen-4.0-generate-001", prompt="Kites",
...                                   config={"number_of_images": 4})         # doctest: +SKIP
>>> GalleryWidget(r)                                                          # doctest: +SKIP

It takes an Imagen answer, a Gemini answer with pictures, or any list of pictures
(:class:`~gemini_nb.types.Image`, ``GeneratedImage``, bytes, PIL images, paths). Pictures
that were filtered out show as a tile that says why.

Size bound: the widget's synced state holds only thumbnails (JPEG, at most ``thumbnail``
pixels a side, a few kB each), so a notebook that saves widget state stays small; a picture
is sent whole (a binary message) only when it is opened, and never stored in the notebook.

The protocol between ``widgets/gallery.js`` and this class:

* synced traits: ``items`` (one dict per tile: ``index``, ``thumb`` (a data URI, or "" for a
  filtered picture), ``width``, ``height``, ``mime``, ``size``, ``caption``, ``filtered``
  (the reason, or "")), ``columns``, ``status`` (what the last save did) and ``error``.
* browser → kernel: ``{"type": "open", "index"}`` asks for a picture (answered
  ``{"type": "image", "index", "mime"}`` with its bytes as the one buffer); ``{"type":
  "save", "index"}`` saves it to ``save_dir`` (``gemini_media/`` by default) and says where
  in ``status``.
"""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

try:
    import anywidget
    import traitlets
except ImportError as exc:
    from ..._optional import missing_dependency

    raise missing_dependency("GalleryWidget", exc.name or "anywidget", "notebook") from None

from .._render_media import size_text, thumbnail
from . import static_path

__all__ = ["THUMBNAIL", "GalleryWidget"]

#: The longest side of a tile's thumbnail, in pixels.
THUMBNAIL = 320


class _Entry:
    __slots__ = ("caption", "filtered", "image")

    def __init__(self, image: Any, caption: str = "", filtered: str = "") -> None:
        self.image = image
        self.caption = caption
        self.filtered = filtered


def _as_image(value: Any) -> Any:
    """A gemini_nb Image from what a user may hand the gallery."""
    from ...types.media import Image

    if isinstance(value, Image):
        return value
    if hasattr(value, "image_bytes"):  # google-genai's Image
        return Image(image_bytes=value.image_bytes, mime_type=getattr(value, "mime_type", None))
    if isinstance(value, (bytes, bytearray, memoryview)):
        from ..._media import check_image_bytes

        data = bytes(value)
        return Image(image_bytes=data, mime_type=check_image_bytes(data, None, "The picture"))
    if isinstance(value, (str, os.PathLike)):
        return Image.from_file(location=value)
    if type(value).__module__.startswith("PIL.") and hasattr(value, "save"):
        import io

        buf = io.BytesIO()
        value.save(buf, format="PNG")
        return Image(image_bytes=buf.getvalue(), mime_type="image/png")
    from ..._exceptions import InvalidInputError

    raise InvalidInputError(
        f"A gallery shows pictures: an Image, bytes, a PIL image or a path, not "
        f"{type(value).__name__}."
    )


def _entries(source: Any) -> list[_Entry]:
    """Tiles from an Imagen or Gemini answer, one picture, or an iterable of pictures."""
    from ...types import GenerateContentResponse
    from ...types.media import GeneratedImage, GenerateImagesResponse

    if source is None:
        return []
    if isinstance(source, GenerateImagesResponse):
        return _entries(source.generated_images)
    if isinstance(source, GenerateContentResponse):
        return [_Entry(image) for image in source.images]
    if isinstance(source, GeneratedImage):
        if source.image is not None and source.image.image_bytes:
            return [_Entry(source.image, source.enhanced_prompt or "")]
        return [_Entry(None, filtered=source.rai_filtered_reason or "filtered out")]
    if isinstance(source, Iterable) and not isinstance(
        source, (str, bytes, bytearray, memoryview, os.PathLike)
    ):
        return [entry for item in source for entry in _entries(item)]
    return [_Entry(_as_image(source))]


class GalleryWidget(anywidget.AnyWidget):
    """Pictures in a grid; click to enlarge, then save (to ``save_dir``) or download."""

    _esm = static_path("gallery.js")
    _css = static_path("gallery.css")

    items = traitlets.List(traitlets.Dict()).tag(sync=True)
    columns = traitlets.Int(4).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        images: Any = None,
        *,
        captions: Iterable[str] | None = None,
        columns: int = 4,
        save_dir: str | os.PathLike[str] = "gemini_media",
        **kwargs: Any,
    ) -> None:
        self._entries: list[_Entry] = []
        self.save_dir = Path(save_dir)
        super().__init__(columns=max(1, min(8, int(columns))), **kwargs)
        self.on_msg(self._on_frontend_msg)
        self.add(images, captions=captions)

    # -- public API ----------------------------------------------------------------------------

    @property
    def images(self) -> list[Any]:
        """The pictures shown (filtered-out tiles left out), as :class:`~gemini_nb.types.Image`."""
        return [e.image for e in self._entries if e.image is not None]

    def add(self, images: Any, *, captions: Iterable[str] | None = None) -> None:
        """Add pictures (anything the constructor takes) at the end of the grid."""
        new = _entries(images)
        for entry, caption in zip(new, captions or [], strict=False):
            entry.caption = caption
        self._entries.extend(new)
        start = len(self.items)
        self.items = [*self.items, *(self._item(start + i, e) for i, e in enumerate(new))]

    def save(self, index: int, path: str | os.PathLike[str] | None = None) -> Path:
        """Save picture ``index`` (of the grid) to ``path``, by default into ``save_dir``."""
        image = self._image(index)
        if path is None:
            from ..._media import image_format

            suffix = {"image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif"}.get(
                image.mime_type or image_format(image.image_bytes) or "", ".png"
            )
            import hashlib

            path = (
                self.save_dir
                / f"image-{hashlib.sha256(image.image_bytes).hexdigest()[:12]}{suffix}"
            )
        saved: Path = image.save(path)
        return saved

    def __repr__(self) -> str:
        filtered = sum(1 for e in self._entries if e.image is None)
        extra = f", {filtered} filtered" if filtered else ""
        return f"GalleryWidget({len(self.images)} images{extra})"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        # Renderers without a widget manager (nbconvert, GitHub) fall back to text/html.
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        return {**data, "text/plain": repr(self), "text/html": self._static_html()}, metadata

    # -- helpers -------------------------------------------------------------------------------

    def _image(self, index: int) -> Any:
        if not isinstance(index, int) or not 0 <= index < len(self._entries):
            raise IndexError(
                f"The gallery has {len(self._entries)} tiles; index {index!r} is not one of them."
            )
        image = self._entries[index].image
        if image is None:
            raise ValueError(f"Tile {index} was filtered out: {self._entries[index].filtered}")
        return image

    @staticmethod
    def _item(index: int, entry: _Entry) -> dict[str, Any]:
        if entry.image is None:
            return {
                "index": index,
                "thumb": "",
                "width": 0,
                "height": 0,
                "mime": "",
                "size": 0,
                "caption": entry.caption,
                "filtered": entry.filtered,
            }
        data: bytes = entry.image.image_bytes or b""
        small = thumbnail(data, THUMBNAIL, quality=75)
        if small is not None:
            thumb = "data:image/jpeg;base64," + base64.b64encode(small).decode("ascii")
        elif len(data) <= 64_000:  # no Pillow: a small picture is its own thumbnail
            thumb = f"data:{entry.image.mime_type};base64," + base64.b64encode(data).decode()
        else:
            thumb = ""
        width, height = entry.image.size or (0, 0)
        return {
            "index": index,
            "thumb": thumb,
            "width": width,
            "height": height,
            "mime": entry.image.mime_type or "",
            "size": len(data),
            "caption": entry.caption,
            "filtered": "",
        }

    def _static_html(self) -> str:
        tiles = []
        for item in self.items:
            if item["filtered"]:
                tiles.append(
                    f'<div style="font-size:85%;opacity:.8">filtered out: '
                    f"{html.escape(item['filtered'])}</div>"
                )
            elif item["thumb"]:
                label = f"{item['width']}×{item['height']}, {size_text(item['size'])}"
                tiles.append(
                    f'<img src="{html.escape(item["thumb"])}" alt="{html.escape(label)}" '
                    'style="width:100%;aspect-ratio:1/1;object-fit:cover">'
                )
        return (
            '<div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,'
            f'1fr));gap:6px;max-width:100%">{"".join(tiles)}</div>'
        )

    def _on_frontend_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind, index = content.get("type"), content.get("index")
        if not isinstance(index, int):
            return
        try:
            if kind == "open":
                image = self._image(index)
                self.send(
                    {"type": "image", "index": index, "mime": image.mime_type or ""},
                    buffers=[image.image_bytes],
                )
            elif kind == "save":
                saved = self.save(index)
                with self.hold_sync():
                    self.status = f"Saved {saved.as_posix()}"
                    self.error = ""
        except Exception as exc:  # shown in the widget, not raised into a cell
            with self.hold_sync():
                self.status = ""
                self.error = str(exc)
