"""Pictures the emulator draws: deterministic scenes that follow the words of a prompt.

A prompt is read into a :class:`Scene` (:func:`scene_for`): a background and a few flat shapes.

* Shapes come from nouns: circles (circle, ball, sun, moon, planet, apple, balloon...), squares
  (square, box, house, building, window...), triangles (triangle, mountain, tree, pyramid...),
  stars, hearts, kites (diamonds with a tail), and a band of waves for water (sea, ocean, river, lake, waves). A number before
  the noun sets how many ("three red circles"); a colour before it sets its colour ("a blue
  house"), else the noun's own colour (a yellow sun, a green tree) or one taken from the prompt.
* The background follows setting words: sky (blue), night or space (dark, with small stars),
  sunset (orange to purple), forest (green), desert or beach (sand), snow or winter (white),
  underwater (deep blue); else a soft two-colour gradient chosen by the prompt's hash.
* A prompt with no shape word gets three shapes chosen by its hash; a negative prompt's words
  (Imagen ``negativePrompt``) remove the shapes and colours they name.

The same prompt and seed give the same picture, byte for byte. :func:`draw` renders a scene at
any size (the requested aspect ratio and image size); :func:`frame` renders it at a moment of a
video, its shapes drifting on their paths. :func:`edit` changes an input image visibly, as the
prompt asks: "black and white", "invert", "blur", "brighter"/"darker", "sepia", "mirror", a
colour to tint with ("make it blue"), shapes to add ("add a red star"); a prompt that asks for
none of these gets its shapes drawn over the image and a coloured frame, so an edit is always
visible.

Pillow draws and encodes; it is imported on first use (the ``emulator`` extra installs it).
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..backends.catalogue import FLASH_IMAGE, MediaSpec, ModelInfo
from ..wire.errors import EmulatorError
from .hashing import digest
from .numbers import number_value

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = [
    "Scene",
    "Shape",
    "answer_picture",
    "check_image_config",
    "closest_aspect",
    "decode_image",
    "draw",
    "edit",
    "encode",
    "frame",
    "input_images",
    "require_pillow",
    "scene_for",
]

RGB = tuple[int, int, int]

COLOURS: dict[str, RGB] = {
    "red": (220, 50, 47),
    "orange": (245, 140, 30),
    "yellow": (250, 210, 40),
    "gold": (212, 175, 55),
    "golden": (212, 175, 55),
    "green": (60, 170, 75),
    "lime": (160, 220, 60),
    "teal": (0, 150, 140),
    "cyan": (40, 200, 220),
    "turquoise": (64, 224, 208),
    "blue": (40, 100, 220),
    "navy": (20, 40, 110),
    "purple": (140, 70, 190),
    "violet": (150, 90, 220),
    "magenta": (220, 40, 160),
    "pink": (245, 140, 180),
    "brown": (140, 90, 50),
    "black": (25, 25, 30),
    "white": (245, 245, 245),
    "gray": (140, 140, 145),
    "grey": (140, 140, 145),
    "silver": (190, 195, 200),
    "beige": (225, 210, 180),
}

# Nouns -> (shape, the colour the thing usually has, or None).
_NOUNS: dict[str, tuple[str, str | None]] = {}
for _names, _shape, _colour in (
    (
        "circle circles dot dots ball balls bubble bubbles orb orbs coin coins wheel wheels ring"
        " rings",
        "circle",
        None,
    ),
    ("sun suns", "circle", "yellow"),
    ("moon moons", "circle", "silver"),
    ("planet planets", "circle", "orange"),
    ("apple apples cherry cherries tomato tomatoes", "circle", "red"),
    ("orange oranges", "circle", "orange"),
    ("lemon lemons", "circle", "yellow"),
    ("square squares box boxes block blocks cube cubes window windows", "square", None),
    ("house houses building buildings tower towers barn barns", "square", "brown"),
    ("triangle triangles pyramid pyramids tent tents roof roofs arrow arrows", "triangle", None),
    ("mountain mountains hill hills volcano volcanoes", "triangle", "gray"),
    ("tree trees pine pines forest", "triangle", "green"),
    ("star stars sparkle sparkles", "star", "yellow"),
    ("kite kites diamond diamonds gem gems", "diamond", None),
    ("balloon balloons", "circle", None),
    ("heart hearts", "heart", "red"),
    ("sea ocean oceans river rivers lake lakes wave waves water", "wave", "blue"),
    (
        "cat cats dog dogs bird birds fish animal animals robot robots person people man woman"
        " child children",
        "figure",
        None,
    ),
):
    for _w in _names.split():
        _NOUNS[_w] = (_shape, _colour)

# Setting words -> background gradient (top, bottom) and whether small stars are sprinkled.
_SETTINGS: dict[str, tuple[RGB, RGB, bool]] = {
    "sky": ((110, 170, 235), (200, 230, 250), False),
    "day": ((110, 170, 235), (200, 230, 250), False),
    "night": ((10, 15, 45), (40, 40, 90), True),
    "space": ((0, 0, 10), (20, 10, 40), True),
    "galaxy": ((10, 0, 30), (60, 20, 80), True),
    "sunset": ((250, 150, 60), (110, 60, 140), False),
    "sunrise": ((250, 190, 120), (150, 190, 240), False),
    "dawn": ((250, 190, 120), (150, 190, 240), False),
    "forest": ((50, 110, 60), (20, 60, 30), False),
    "jungle": ((40, 120, 50), (15, 70, 30), False),
    "desert": ((240, 210, 150), (210, 170, 110), False),
    "beach": ((130, 200, 240), (240, 220, 170), False),
    "snow": ((235, 240, 250), (210, 220, 235), False),
    "winter": ((225, 235, 245), (190, 205, 225), False),
    "underwater": ((20, 80, 140), (5, 30, 70), False),
    "meadow": ((150, 200, 240), (120, 190, 90), False),
    "field": ((150, 200, 240), (150, 200, 90), False),
    "city": ((150, 160, 180), (80, 85, 100), False),
}

_PALETTE = [c for name, c in COLOURS.items() if name not in ("white", "black", "gray", "grey")]
_MAX_SHAPES = 24
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?|\d+")


@dataclass(frozen=True)
class Shape:
    """One flat shape: where its centre is (0-1 of the width and height), its size (a fraction
    of the shorter side) and, for video, how far it drifts per second (same units)."""

    kind: str
    colour: RGB
    x: float
    y: float
    size: float
    dx: float = 0.0
    dy: float = 0.0
    spin: float = 0.0  # turns per second (stars, squares, triangles)


@dataclass(frozen=True)
class Scene:
    top: RGB
    bottom: RGB
    stars: bool
    shapes: tuple[Shape, ...]
    key: bytes

    @property
    def colours(self) -> list[RGB]:
        return [s.colour for s in self.shapes]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _byte(key: bytes, i: int) -> int:
    return key[i % len(key)]


def scene_for(prompt: str, seed: object = "", *, negative: str = "") -> Scene:
    """The scene a prompt describes (see the module docstring)."""
    key = digest("scene", prompt, seed)
    banned = set(_words(negative))
    words = _words(prompt)
    top, bottom, stars = _background(words, key)
    wanted: list[tuple[str, RGB]] = []
    prompt_colours = [COLOURS[w] for w in words if w in COLOURS and w not in banned]
    pending_colour: RGB | None = None
    pending_count: int | None = None
    for i, word in enumerate(words):
        if word in banned:
            pending_colour, pending_count = None, None
            continue
        if word in COLOURS:
            pending_colour = COLOURS[word]
            continue
        value = number_value(word) if word not in ("a", "an") else None
        if value is not None and 0 < value <= _MAX_SHAPES:
            pending_count = value
            continue
        noun = _NOUNS.get(word)
        if noun is None:
            continue
        if word == "forest" and i > 0:
            continue  # "a forest" as a setting: the background says it
        shape, usual = noun
        colour = pending_colour or (COLOURS[usual] if usual else None)
        if colour is None:
            colour = (
                prompt_colours[len(wanted) % len(prompt_colours)]
                if prompt_colours
                else _PALETTE[_byte(key, len(wanted)) % len(_PALETTE)]
            )
        count = pending_count or (
            2
            if word.endswith("s")
            and not word.endswith("ss")
            and word not in ("glass",)
            and shape != "wave"
            else 1
        )
        wanted += [(shape, colour)] * count
        pending_colour, pending_count = None, None
    if not wanted:
        kinds = ["circle", "square", "triangle", "star"]
        for i in range(3):
            colour = (
                prompt_colours[i % len(prompt_colours)]
                if prompt_colours
                else _PALETTE[_byte(key, 3 + i) % len(_PALETTE)]
            )
            wanted.append((kinds[_byte(key, 7 + i) % len(kinds)], colour))
    wanted = [(k, c) for k, c in wanted if c not in [COLOURS[w] for w in banned if w in COLOURS]]
    return Scene(top, bottom, stars, _layout(wanted[:_MAX_SHAPES], key), key)


def _background(words: list[str], key: bytes) -> tuple[RGB, RGB, bool]:
    for word in words:
        if word in _SETTINGS:
            return _SETTINGS[word]
    a = _PALETTE[_byte(key, 0) % len(_PALETTE)]
    b = _PALETTE[_byte(key, 1) % len(_PALETTE)]
    # Pale versions, so the shapes stand out.
    return _mix(a, (255, 255, 255), 0.75), _mix(b, (255, 255, 255), 0.55), False


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _layout(wanted: list[tuple[str, RGB]], key: bytes) -> tuple[Shape, ...]:
    """Shapes placed on a grid of slots (shuffled by the key), so they rarely overlap."""
    n = len(wanted)
    cols = max(1, math.ceil(math.sqrt(n)))
    rows = max(1, math.ceil(n / cols))
    slots = list(range(cols * rows))
    slots.sort(key=lambda s: digest(key, "slot", s))
    shapes: list[Shape] = []
    for i, (kind, colour) in enumerate(wanted):
        if kind == "wave":
            shapes.append(
                Shape(
                    "wave",
                    colour,
                    0.5,
                    0.82 - 0.06 * (i % 3),
                    0.18,
                    dx=0.05 + _byte(key, 40 + i) / 2550,
                )
            )
            continue
        slot = slots[i % len(slots)]
        col, row = slot % cols, slot // cols
        jitter_x = (_byte(key, 11 + i) / 255 - 0.5) * 0.3
        jitter_y = (_byte(key, 23 + i) / 255 - 0.5) * 0.3
        x = (col + 0.5 + jitter_x) / cols
        y = (row + 0.5 + jitter_y) / rows
        size = min(0.42, 0.75 / max(cols, rows)) * (0.75 + _byte(key, 31 + i) / 1020)
        angle = _byte(key, 50 + i) / 255 * 2 * math.pi
        speed = 0.03 + _byte(key, 60 + i) / 255 * 0.05
        spin = (
            (_byte(key, 70 + i) / 255 - 0.5) * 0.3
            if kind in ("star", "square", "triangle")
            else 0.0
        )  # kites and circles keep upright
        shapes.append(
            Shape(kind, colour, x, y, size, speed * math.cos(angle), speed * math.sin(angle), spin)
        )
    return tuple(shapes)


# --------------------------------------------------------------------------------- drawing


def require_pillow() -> Any:
    """PIL's Image module, or the emulator's error that names the extra to install."""
    try:
        from PIL import Image
    except ImportError:
        raise EmulatorError(
            500,
            "The emulator draws images with Pillow, which is not installed: "
            'pip install "gemini-nb[emulator]"',
            rpc_status="INTERNAL",
        ) from None
    return Image


def _gradient(width: int, height: int, top: RGB, bottom: RGB) -> PILImage.Image:
    Image = require_pillow()
    column = Image.new("RGB", (1, 256))
    column.putdata([_mix(top, bottom, y / 255) for y in range(256)])
    picture: PILImage.Image = column.resize((width, height), Image.Resampling.BILINEAR)
    return picture


def draw(scene: Scene, width: int, height: int, t: float = 0.0) -> PILImage.Image:
    """The scene as an RGB picture of ``width`` × ``height`` pixels, at ``t`` seconds."""
    image = _gradient(width, height, scene.top, scene.bottom)
    _draw_shapes(image, scene, t)
    return image


frame = draw


def _draw_shapes(image: PILImage.Image, scene: Scene, t: float) -> None:
    from PIL import ImageDraw

    width, height = image.size
    pen = ImageDraw.Draw(image)
    unit = float(min(width, height))
    if scene.stars:
        for i in range(40):
            sx = _byte(scene.key, i) / 255 * width
            sy = _byte(scene.key, i + 97) / 255 * height * 0.7
            twinkle = 1 + (i + int(t * 4)) % 3
            r = max(1.0, unit // 400) * twinkle
            pen.ellipse((sx - r, sy - r, sx + r, sy + r), fill=(255, 255, 230))
    for shape in scene.shapes:
        x = _wrap(shape.x + shape.dx * t) * width
        y = _wrap(shape.y + shape.dy * t) * height
        r = shape.size * unit / 2
        if shape.kind == "wave":
            _wave(pen, width, height, shape, t)
        elif shape.kind == "circle":
            pen.ellipse((x - r, y - r, x + r, y + r), fill=shape.colour)
        elif shape.kind == "square":
            pen.polygon(
                _regular(x, y, r * 1.2, 4, math.pi / 4 + shape.spin * t * 2 * math.pi),
                fill=shape.colour,
            )
        elif shape.kind == "triangle":
            pen.polygon(
                _regular(x, y, r * 1.15, 3, -math.pi / 2 + shape.spin * t * 2 * math.pi),
                fill=shape.colour,
            )
        elif shape.kind == "star":
            pen.polygon(_star(x, y, r * 1.2, shape.spin * t * 2 * math.pi), fill=shape.colour)
        elif shape.kind == "heart":
            _heart(pen, x, y, r, shape.colour)
        elif shape.kind == "diamond":  # a kite: a tall diamond with a tail
            pen.polygon(
                [
                    (x, y - 1.3 * r),
                    (x + 0.8 * r, y - 0.25 * r),
                    (x, y + 1.05 * r),
                    (x - 0.8 * r, y - 0.25 * r),
                ],
                fill=shape.colour,
            )
            pen.line(
                [(x, y + 1.05 * r), (x - 0.3 * r, y + 1.5 * r), (x + 0.2 * r, y + 1.9 * r)],
                fill=shape.colour,
                width=max(1, round(r / 12)),
            )
        else:  # a figure: a body and a head
            pen.rounded_rectangle(
                (x - r * 0.55, y - r * 0.2, x + r * 0.55, y + r), radius=r * 0.3, fill=shape.colour
            )
            pen.ellipse((x - r * 0.42, y - r, x + r * 0.42, y - r * 0.16), fill=shape.colour)


def _wrap(v: float) -> float:
    # Shapes drift across the frame and come back in from the other side.
    return v % 1.0


def _regular(x: float, y: float, r: float, n: int, start: float) -> list[tuple[float, float]]:
    return [
        (
            x + r * math.cos(start + 2 * math.pi * k / n),
            y + r * math.sin(start + 2 * math.pi * k / n),
        )
        for k in range(n)
    ]


def _star(x: float, y: float, r: float, turn: float) -> list[tuple[float, float]]:
    points = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.45
        a = -math.pi / 2 + turn + math.pi * k / 5
        points.append((x + radius * math.cos(a), y + radius * math.sin(a)))
    return points


def _heart(pen: Any, x: float, y: float, r: float, colour: RGB) -> None:
    lobe = r * 0.55
    pen.ellipse((x - 2 * lobe, y - lobe * 1.5, x, y + lobe * 0.5), fill=colour)
    pen.ellipse((x, y - lobe * 1.5, x + 2 * lobe, y + lobe * 0.5), fill=colour)
    pen.polygon(
        [(x - 2 * lobe + 2, y - lobe * 0.3), (x + 2 * lobe - 2, y - lobe * 0.3), (x, y + r * 1.1)],
        fill=colour,
    )


def _wave(pen: Any, width: int, height: int, shape: Shape, t: float) -> None:
    base = shape.y * height
    amp = height * 0.025
    length = width / 3
    phase = shape.dx * t * 2 * math.pi * 4
    points = [
        (float(x), base + amp * math.sin(2 * math.pi * x / length + phase))
        for x in range(0, width + 8, 8)
    ]
    pen.polygon([*points, (width, height), (0, height)], fill=shape.colour)


# --------------------------------------------------------------------------------- editing

_ADJUST = {
    "gray": (
        "black and white",
        "black-and-white",
        "grayscale",
        "greyscale",
        "monochrome",
        "grey",
        "gray",
    ),
    "invert": ("invert", "negative", "inverted"),
    "blur": ("blur", "blurry", "soft focus", "dreamy"),
    "bright": ("brighter", "brighten", "lighter", "sunnier"),
    "dark": ("darker", "darken", "night", "dim"),
    "sepia": ("sepia", "vintage", "old photo", "retro"),
    "mirror": ("mirror", "flip", "flipped"),
}


_TINT_AFTER = frozenset({"it", "tint", "more", "to", "into", "all", "everything", "bathe"})


def _asks(prompt: str, phrases: tuple[str, ...]) -> bool:
    text = f" {' '.join(_words(prompt))} "
    return any(f" {p} " in text for p in phrases)


def edit(
    base: PILImage.Image, prompt: str, width: int, height: int, seed: object = ""
) -> PILImage.Image:
    """``base`` changed as ``prompt`` asks (see the module docstring), at ``width`` × ``height``."""
    from PIL import ImageDraw, ImageEnhance, ImageFilter, ImageOps

    image = ImageOps.fit(base.convert("RGB"), (width, height))
    changed = False
    if _asks(prompt, _ADJUST["mirror"]):
        image, changed = ImageOps.mirror(image), True
    if _asks(prompt, _ADJUST["invert"]):
        image, changed = ImageOps.invert(image), True
    if _asks(prompt, _ADJUST["blur"]):
        image = image.filter(ImageFilter.GaussianBlur(radius=max(2, min(width, height) // 120)))
        changed = True
    if _asks(prompt, _ADJUST["bright"]):
        image, changed = ImageEnhance.Brightness(image).enhance(1.45), True
    if _asks(prompt, _ADJUST["dark"]):
        image, changed = ImageEnhance.Brightness(image).enhance(0.55), True
    toned = True
    if _asks(prompt, _ADJUST["sepia"]):
        image = ImageOps.colorize(ImageOps.grayscale(image), (60, 35, 10), (250, 235, 200))
    elif _asks(prompt, _ADJUST["gray"]):
        image = ImageOps.grayscale(image).convert("RGB")
    else:
        toned = False
    changed = changed or toned
    words = _words(prompt)
    # "make it blue", "tint it green", "turn everything to red": a colour after such a word.
    tint = (
        None
        if toned
        else next(
            (
                COLOURS[w]
                for i, w in enumerate(words)
                if w in COLOURS
                and i > 0
                and words[i - 1] in _TINT_AFTER
                and (i + 1 >= len(words) or words[i + 1] not in _NOUNS)
            ),
            None,
        )
    )
    if tint is not None:
        overlay = _gradient(width, height, tint, tint)
        image, changed = _blend(image, overlay, 0.35), True
    scene = scene_for(prompt, seed)
    has_shapes = any(w in _NOUNS for w in words)
    if has_shapes:
        # Added things go where the picture's middle is free of them: drawn over the picture.
        _draw_shapes(image, replace(scene, stars=False), 0.0)
        changed = True
    if not changed:
        _draw_shapes(image, replace(scene, stars=False), 0.0)
        pen = ImageDraw.Draw(image)
        border = max(4, min(width, height) // 40)
        pen.rectangle((0, 0, width - 1, height - 1), outline=scene.shapes[0].colour, width=border)
    return image


def _blend(a: PILImage.Image, b: PILImage.Image, alpha: float) -> PILImage.Image:
    Image = require_pillow()
    return Image.blend(a, b, alpha)  # type: ignore[no-any-return]


def decode_image(data: bytes) -> PILImage.Image | None:
    """The picture in ``data``, or None if it is not an image Pillow can read."""
    Image = require_pillow()
    try:
        picture = Image.open(io.BytesIO(data))
        picture.load()
    except Exception:
        return None
    return picture  # type: ignore[no-any-return]


def encode(image: PILImage.Image, mime_type: str = "image/png", quality: int = 90) -> bytes:
    """``image`` as PNG or JPEG bytes (the same picture gives the same bytes)."""
    out = io.BytesIO()
    if mime_type == "image/jpeg":
        image.convert("RGB").save(
            out, format="JPEG", quality=max(1, min(100, quality)), optimize=False
        )
    else:
        image.save(out, format="PNG", compress_level=6)
    return out.getvalue()


# --------------------------------------------------------------------------------- requests


def _choices(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    return ", ".join(quoted[:-1]) + f", or {quoted[-1]}" if len(quoted) > 1 else quoted[0]


def check_image_config(config: dict[str, Any], spec: MediaSpec) -> tuple[str | None, str]:
    """(aspect ratio or None, image size) of a generateContent ``imageConfig``, or the 400
    the API answers for a value the model does not take."""
    aspect = config.get("aspectRatio")
    size = str(config.get("imageSize") or spec.default_size)
    problems = []
    if aspect is not None and aspect not in spec.aspect_ratios:
        problems.append(
            "* GenerateContentRequest.generation_config.image_config.aspect_ratio: "
            f"aspect_ratio must be one of {_choices(spec.aspect_ratios)}.\n"
        )
    if size not in spec.sizes:
        problems.append(
            "* GenerateContentRequest.generation_config.image_config.image_size: "
            f"image_size must be one of {_choices(spec.sizes)}.\n"
        )
    if problems:
        raise EmulatorError(400, "".join(problems))
    return (str(aspect) if aspect is not None else None), size


def closest_aspect(width: int, height: int, choices: tuple[str, ...]) -> str:
    """The supported aspect ratio nearest to a picture's own."""
    ratio = math.log(width / max(1, height))

    def distance(a: str) -> float:
        w, h = (int(x) for x in a.split(":"))
        return abs(math.log(w / h) - ratio)

    return min(choices, key=distance)


def input_images(contents: list[dict[str, Any]]) -> list[tuple[int, bytes]]:
    """The inline images of a conversation, oldest first, as (index, bytes)."""
    from .media import decode_base64

    found: list[tuple[int, bytes]] = []
    for content in contents:
        for part in (content.get("parts") or []) if isinstance(content, dict) else []:
            blob = part.get("inlineData") if isinstance(part, dict) else None
            if isinstance(blob, dict) and str(blob.get("mimeType", "")).startswith("image/"):
                found.append((len(found), decode_base64(str(blob.get("data") or ""))))
    return found


def unreadable_image(index: int) -> EmulatorError:
    """The real API's answer to an input image it cannot read."""
    return EmulatorError(
        400,
        "Request contains an invalid argument.",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.DebugInfo",
                "detail": "[ORIGINAL ERROR] generic::invalid_argument: invalid status "
                f"photos.thumbnailer.Status.Code::5: Source image {index} is not an image",
            }
        ],
    )


def answer_picture(
    request: dict[str, Any], model: ModelInfo, prompt: str, seed: object
) -> tuple[bytes, str]:
    """(bytes, MIME type) of the picture a Gemini image model answers with.

    The newest image in the conversation (the user's, or the model's own from an earlier turn:
    a multi-turn edit) is edited; without one, the prompt's scene is drawn.
    """
    spec = model.media or FLASH_IMAGE
    config = (request.get("generationConfig") or {}).get("imageConfig") or {}
    aspect, size = check_image_config(config, spec)
    contents = [c for c in request.get("contents") or [] if isinstance(c, dict)]
    pictures = input_images(contents)
    base = None
    if pictures:
        index, data = pictures[-1]
        base = decode_image(data)
        if base is None:
            raise unreadable_image(index)
        if aspect is None:
            aspect = closest_aspect(base.width, base.height, spec.aspect_ratios)
    width, height = spec.dimensions(aspect or spec.default_aspect, size)
    if base is not None:
        picture = edit(base, prompt, width, height, seed)
    else:
        picture = draw(scene_for(prompt, seed), width, height)
    return encode(picture, spec.mime_type), spec.mime_type
