"""The emulator's model catalogue: what ``models.list`` / ``models.get`` answer, and what each model can do.

Entries mirror the public Gemini Developer API listing (names, limits, sampling defaults,
supported methods). The fields after ``thinking`` are emulator behaviour switches that never
reach the wire: how a model thinks, how many candidates it may return, which modalities it
produces, and how it formats JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..wire.errors import EmulatorError

__all__ = ["MediaSpec", "ModelInfo", "all_models", "lookup", "not_supported_error"]

ThinkingControl = Literal["none", "budget", "level"]

# Methods the listing never spells out but the server accepts whenever the base method is there.
_IMPLIED_METHODS: dict[str, str] = {
    "streamGenerateContent": "generateContent",
    "batchEmbedContents": "embedContent",
}


@dataclass(frozen=True)
class MediaSpec:
    """What a model that makes pictures or videos accepts (from the image, Imagen and Veo
    guides): aspect ratios, sizes (``imageSize`` / ``sampleImageSize`` values, or video
    ``resolution``s), the default of each, how many per request, video lengths in seconds,
    ``personGeneration`` values, the output type, and whether videos have sound."""

    aspect_ratios: tuple[str, ...]
    sizes: tuple[str, ...]
    default_aspect: str = "1:1"
    default_size: str = "1K"
    max_count: int = 1
    default_count: int = 1
    durations: tuple[int, ...] = ()
    default_duration: int = 8
    person_generation: tuple[str, ...] = ()
    mime_type: str = "image/png"
    audio: bool = False
    # Pixel sizes per aspect ratio at the smallest size; larger sizes scale them.
    pixels: tuple[tuple[str, int, int], ...] = ()

    def dimensions(self, aspect: str, size: str) -> tuple[int, int]:
        """(width, height) of an output at this aspect ratio and size."""
        if size.endswith("p"):  # video: 720p, 1080p; the shorter side is the resolution
            short = int(size[:-1])
            w, h = (int(x) for x in aspect.split(":"))
            long = round(short * max(w, h) / min(w, h) / 2) * 2
            return (long, short) if w >= h else (short, long)
        table = {a: (w, h) for a, w, h in self.pixels}
        w, h = table[aspect]
        scale = {"512": 0.5, "1K": 1, "2K": 2, "4K": 4}.get(size, 1)
        return round(w * scale / 2) * 2, round(h * scale / 2) * 2


# Gemini 2.5 Flash Image: one size (1K) in ten aspect ratios.
_FLASH_IMAGE_PIXELS = (
    ("1:1", 1024, 1024),
    ("2:3", 832, 1248),
    ("3:2", 1248, 832),
    ("3:4", 864, 1184),
    ("4:3", 1184, 864),
    ("4:5", 896, 1152),
    ("5:4", 1152, 896),
    ("9:16", 768, 1344),
    ("16:9", 1344, 768),
    ("21:9", 1536, 672),
)
# Gemini 3 Pro Image at 1K (2K and 4K double and quadruple it).
_PRO_IMAGE_PIXELS = (
    ("1:1", 1024, 1024),
    ("2:3", 848, 1264),
    ("3:2", 1264, 848),
    ("3:4", 896, 1200),
    ("4:3", 1200, 896),
    ("4:5", 928, 1152),
    ("5:4", 1152, 928),
    ("9:16", 768, 1376),
    ("16:9", 1376, 768),
    ("21:9", 1584, 672),
)
_IMAGEN_PIXELS = (
    ("1:1", 1024, 1024),
    ("3:4", 896, 1280),
    ("4:3", 1280, 896),
    ("9:16", 768, 1408),
    ("16:9", 1408, 768),
)
FLASH_IMAGE = MediaSpec(
    aspect_ratios=tuple(a for a, _, _ in _FLASH_IMAGE_PIXELS),
    sizes=("1K",),
    pixels=_FLASH_IMAGE_PIXELS,
)
PRO_IMAGE = MediaSpec(
    aspect_ratios=tuple(a for a, _, _ in _PRO_IMAGE_PIXELS),
    sizes=("1K", "2K", "4K"),
    pixels=_PRO_IMAGE_PIXELS,
    mime_type="image/jpeg",
)
_IMAGEN_PEOPLE = ("dont_allow", "allow_adult", "allow_all")


def _imagen_spec(*, sizes: tuple[str, ...], max_count: int) -> MediaSpec:
    return MediaSpec(
        aspect_ratios=tuple(a for a, _, _ in _IMAGEN_PIXELS),
        sizes=sizes,
        max_count=max_count,
        default_count=max_count,
        person_generation=_IMAGEN_PEOPLE,
        pixels=_IMAGEN_PIXELS,
    )


def _veo_spec(version: int, *, sizes: tuple[str, ...] = ("720p", "1080p")) -> MediaSpec:
    return MediaSpec(
        aspect_ratios=("16:9", "9:16"),
        sizes=sizes,
        default_aspect="16:9",
        default_size="720p",
        max_count=2 if version == 2 else 1,
        durations=(5, 6, 7, 8) if version == 2 else (4, 6, 8),
        person_generation=("dont_allow", "allow_adult")
        if version == 2
        else ("allow_all", "allow_adult"),
        mime_type="video/mp4",
        audio=version >= 3,
    )


@dataclass(frozen=True)
class ModelInfo:
    """One model: its public ``Model`` resource fields plus emulator behaviour switches."""

    name: str
    display_name: str
    version: str
    input_token_limit: int
    output_token_limit: int
    methods: tuple[str, ...]
    description: str | None = None
    temperature: float | None = 1.0
    max_temperature: float | None = 2.0
    top_p: float | None = 0.95
    top_k: int | None = 64
    thinking: bool = False
    embedding_dimensions: int | None = None
    # --- behaviour, not part of the Model resource ---
    model_version: str | None = None  # what responses report as modelVersion (aliases resolve)
    thinking_control: ThinkingControl = "none"
    thinks_by_default: bool = False
    can_disable_thinking: bool = True
    budget_range: tuple[int, int] | None = None  # accepted positive thinkingBudget values
    thinking_levels: tuple[str, ...] = ()
    thinking_scale: float = 1.0  # how much more (or less) this model thinks than Flash
    max_candidates: int = 8
    output_modalities: tuple[str, ...] = ("TEXT",)
    signs_every_turn: bool = False  # Gemini 3 attaches a thoughtSignature to every answer
    pretty_json: bool = False  # Gemini 3 indents JSON output; 2.x writes it compact
    media: MediaSpec | None = None  # image and video models: what they accept

    @property
    def resource_name(self) -> str:
        return f"models/{self.name}"

    @property
    def reported_version(self) -> str:
        """The modelVersion string responses carry."""
        return self.model_version or self.name

    @property
    def is_embedding(self) -> bool:
        return self.embedding_dimensions is not None

    def supports(self, method: str) -> bool:
        """Whether the model serves ``method`` (e.g. "generateContent", "batchEmbedContents")."""
        if method in self.methods:
            return True
        base = _IMPLIED_METHODS.get(method)
        return base is not None and base in self.methods

    def to_json(self) -> dict[str, Any]:
        """The ``Model`` resource as the API returns it, keys in the server's order."""
        out: dict[str, Any] = {
            "name": self.resource_name,
            "version": self.version,
            "displayName": self.display_name,
        }
        if self.description is not None:
            out["description"] = self.description
        out["inputTokenLimit"] = self.input_token_limit
        out["outputTokenLimit"] = self.output_token_limit
        out["supportedGenerationMethods"] = list(self.methods)
        for key, value in (
            ("temperature", self.temperature),
            ("topP", self.top_p),
            ("topK", self.top_k),
            ("maxTemperature", self.max_temperature),
        ):
            if value is not None:
                out[key] = _number(value)
        if self.thinking:
            out["thinking"] = True
        return out


def _number(value: float | int) -> float | int:
    # The server writes 1 and 2 as integers and 0.95 as a float; json.dumps would say 1.0.
    return int(value) if float(value).is_integer() else value


_GENERATE = ("generateContent", "countTokens", "createCachedContent", "batchGenerateContent")
_GEN_BASIC = ("generateContent", "countTokens")


def _gemini_25(
    name: str,
    display: str,
    version: str,
    description: str,
    *,
    kind: Literal["flash", "pro", "lite"],
    model_version: str | None = None,
    input_limit: int = 1_048_576,
    methods: tuple[str, ...] = _GENERATE,
) -> ModelInfo:
    budgets = {"flash": (1, 24_576), "pro": (128, 32_768), "lite": (512, 24_576)}[kind]
    return ModelInfo(
        name=name,
        display_name=display,
        version=version,
        description=description,
        input_token_limit=input_limit,
        output_token_limit=65_536,
        methods=methods,
        thinking=True,
        model_version=model_version,
        thinking_control="budget",
        thinks_by_default=kind != "lite",
        can_disable_thinking=kind != "pro",
        budget_range=budgets,
        thinking_scale={"flash": 1.0, "pro": 1.6, "lite": 0.6}[kind],
    )


def _gemini_3(
    name: str,
    display: str,
    version: str,
    description: str,
    *,
    kind: Literal["flash", "pro"],
    model_version: str | None = None,
) -> ModelInfo:
    return ModelInfo(
        name=name,
        display_name=display,
        version=version,
        description=description,
        input_token_limit=1_048_576,
        output_token_limit=65_536,
        methods=_GENERATE,
        thinking=True,
        model_version=model_version,
        thinking_control="level",
        thinks_by_default=True,
        can_disable_thinking=False,
        budget_range=(128, 32_768) if kind == "pro" else (1, 24_576),
        thinking_levels=("LOW", "HIGH") if kind == "pro" else ("MINIMAL", "LOW", "MEDIUM", "HIGH"),
        thinking_scale=1.5 if kind == "pro" else 1.0,
        max_candidates=1,  # preview Gemini 3 models refuse candidateCount > 1
        signs_every_turn=True,
        pretty_json=True,
    )


def _gemini_20(name: str, display: str, description: str) -> ModelInfo:
    return ModelInfo(
        name=name,
        display_name=display,
        version="2.0",
        description=description,
        input_token_limit=1_048_576,
        output_token_limit=8_192,
        methods=_GENERATE,
        top_k=40,
        thinking=False,
    )


def _gemma(size: str, input_limit: int) -> ModelInfo:
    return ModelInfo(
        name=f"gemma-3-{size.lower()}-it",
        display_name=f"Gemma 3 {size}",
        version="001",
        input_token_limit=input_limit,
        output_token_limit=8_192,
        methods=_GEN_BASIC,
        max_temperature=None,
        max_candidates=1,
    )


def _live(name: str, display: str, description: str, *, native_audio: bool) -> ModelInfo:
    return ModelInfo(
        name=name,
        display_name=display,
        version=name,
        description=description,
        input_token_limit=131_072 if native_audio else 1_048_576,
        output_token_limit=8_192,
        methods=("countTokens", "bidiGenerateContent"),
        thinking=native_audio,
        output_modalities=("AUDIO", "TEXT"),
        max_candidates=1,
    )


def _tts(name: str, display: str, version: str) -> ModelInfo:
    return ModelInfo(
        name=name,
        display_name=display,
        version=version,
        description=display,
        input_token_limit=8_192,
        output_token_limit=16_384,
        methods=("countTokens", "generateContent"),
        output_modalities=("AUDIO",),
        max_candidates=1,
    )


def _other(
    name: str,
    display: str,
    version: str,
    description: str | None,
    methods: tuple[str, ...],
    *,
    input_limit: int,
    output_limit: int,
    embedding_dimensions: int | None = None,
) -> ModelInfo:
    return ModelInfo(
        name=name,
        display_name=display,
        version=version,
        description=description,
        input_token_limit=input_limit,
        output_token_limit=output_limit,
        methods=methods,
        temperature=None,
        max_temperature=None,
        top_p=None,
        top_k=None,
        embedding_dimensions=embedding_dimensions,
        max_candidates=1,
    )


def _media(
    name: str, display: str, version: str, description: str, method: str, media: MediaSpec
) -> ModelInfo:
    return ModelInfo(
        name=name,
        display_name=display,
        version=version,
        description=description,
        input_token_limit=480,
        output_token_limit=8_192,
        methods=(method,),
        temperature=None,
        max_temperature=None,
        top_p=None,
        top_k=None,
        max_candidates=1,
        media=media,
    )


_CATALOGUE: tuple[ModelInfo, ...] = (
    _gemini_25(
        "gemini-2.5-pro",
        "Gemini 2.5 Pro",
        "2.5",
        "Stable release (June 17th, 2025) of Gemini 2.5 Pro",
        kind="pro",
    ),
    _gemini_25(
        "gemini-2.5-flash",
        "Gemini 2.5 Flash",
        "001",
        "Stable version of Gemini 2.5 Flash, our mid-size multimodal model that supports up to "
        "1 million tokens, released in June of 2025.",
        kind="flash",
    ),
    _gemini_25(
        "gemini-2.5-flash-lite",
        "Gemini 2.5 Flash-Lite",
        "001",
        "Stable version of Gemini 2.5 Flash-Lite, released in July of 2025",
        kind="lite",
    ),
    _gemini_25(
        "gemini-2.5-flash-preview-09-2025",
        "Gemini 2.5 Flash Preview Sep 2025",
        "Gemini 2.5 Flash Preview 09-2025",
        "Gemini 2.5 Flash Preview Sep 2025",
        kind="flash",
    ),
    _gemini_25(
        "gemini-2.5-flash-lite-preview-09-2025",
        "Gemini 2.5 Flash-Lite Preview Sep 2025",
        "2.5-preview-09-25",
        "Preview release (September 25th, 2025) of Gemini 2.5 Flash-Lite",
        kind="lite",
    ),
    _gemini_20(
        "gemini-2.0-flash",
        "Gemini 2.0 Flash",
        "Gemini 2.0 Flash",
    ),
    _gemini_20(
        "gemini-2.0-flash-001",
        "Gemini 2.0 Flash 001",
        "Stable version of Gemini 2.0 Flash, our fast and versatile multimodal model for scaling "
        "across diverse tasks, released in January of 2025.",
    ),
    _gemini_20(
        "gemini-2.0-flash-lite-001",
        "Gemini 2.0 Flash-Lite 001",
        "Stable version of Gemini 2.0 Flash-Lite",
    ),
    _gemini_20(
        "gemini-2.0-flash-lite",
        "Gemini 2.0 Flash-Lite",
        "Gemini 2.0 Flash-Lite",
    ),
    _gemini_25(
        "gemini-flash-latest",
        "Gemini Flash Latest",
        "Gemini Flash Latest",
        "Latest release of Gemini Flash",
        kind="flash",
        model_version="gemini-2.5-flash-preview-09-2025",
    ),
    _gemini_25(
        "gemini-flash-lite-latest",
        "Gemini Flash-Lite Latest",
        "Gemini Flash-Lite Latest",
        "Latest release of Gemini Flash-Lite",
        kind="lite",
        model_version="gemini-2.5-flash-lite-preview-09-2025",
    ),
    _gemini_3(
        "gemini-pro-latest",
        "Gemini Pro Latest",
        "Gemini Pro Latest",
        "Latest release of Gemini Pro",
        kind="pro",
        model_version="gemini-3-pro-preview",
    ),
    _gemini_3(
        "gemini-3-pro-preview",
        "Gemini 3 Pro Preview",
        "3-pro-preview-11-2025",
        "Gemini 3 Pro Preview",
        kind="pro",
    ),
    _gemini_3(
        "gemini-3-flash-preview",
        "Gemini 3 Flash Preview",
        "3-flash-preview-12-2025",
        "Gemini 3 Flash Preview",
        kind="flash",
    ),
    # Newer models seen in the recorded exchanges (names, versions and limits as recorded where
    # the recordings show them; the rest as their family's).
    _gemini_3(
        "gemini-3.1-pro-preview",
        "Gemini 3.1 Pro Preview",
        "3.1-pro-preview-01-2026",
        "Gemini 3.1 Pro Preview",
        kind="pro",
    ),
    _gemini_3(
        "gemini-3.1-flash-lite",
        "Gemini 3.1 Flash-Lite",
        "3.1-flash-lite",
        "Gemini 3.1 Flash-Lite",
        kind="flash",
    ),
    _gemini_3(
        "gemini-3.5-flash",
        "Gemini 3.5 Flash",
        "3.5-flash",
        "Gemini 3.5 Flash",
        kind="flash",
    ),
    _gemini_3(
        "gemini-3.6-flash",
        "Gemini 3.6 Flash",
        "3.6-flash",
        "Gemini 3.6 Flash",
        kind="flash",
    ),
    ModelInfo(
        name="gemini-2.5-flash-image",
        display_name="Nano Banana",
        version="2.0",
        description="Gemini 2.5 Flash Image",
        input_token_limit=32_768,
        output_token_limit=32_768,
        methods=("generateContent", "countTokens", "batchGenerateContent"),
        max_temperature=1.0,
        max_candidates=1,
        output_modalities=("TEXT", "IMAGE"),
        media=FLASH_IMAGE,
    ),
    ModelInfo(
        name="gemini-2.5-flash-image-preview",
        display_name="Nano Banana",
        version="2.0",
        description="Gemini 2.5 Flash Preview Image",
        input_token_limit=32_768,
        output_token_limit=32_768,
        methods=("generateContent", "countTokens", "batchGenerateContent"),
        max_temperature=1.0,
        max_candidates=1,
        output_modalities=("TEXT", "IMAGE"),
        media=FLASH_IMAGE,
    ),
    ModelInfo(
        name="gemini-3-pro-image-preview",
        display_name="Nano Banana Pro",
        version="3.0",
        description="Gemini 3 Pro Image Preview",
        input_token_limit=65_536,
        output_token_limit=32_768,
        methods=("generateContent", "countTokens", "batchGenerateContent"),
        thinking=True,
        thinking_control="level",
        thinks_by_default=True,
        can_disable_thinking=False,
        budget_range=(128, 32_768),
        thinking_levels=("LOW", "HIGH"),
        max_candidates=1,
        output_modalities=("TEXT", "IMAGE"),
        signs_every_turn=True,
        media=PRO_IMAGE,
    ),
    _tts(
        "gemini-2.5-flash-preview-tts",
        "Gemini 2.5 Flash Preview TTS",
        "gemini-2.5-flash-exp-tts-2025-05-19",
    ),
    _tts(
        "gemini-2.5-pro-preview-tts",
        "Gemini 2.5 Pro Preview TTS",
        "gemini-2.5-pro-preview-tts-2025-05-19",
    ),
    _gemini_25(
        "gemini-2.5-computer-use-preview-10-2025",
        "Gemini 2.5 Computer Use Preview 10-2025",
        "Gemini 2.5 Computer Use Preview 10-2025",
        "Gemini 2.5 Computer Use Preview 10-2025",
        kind="flash",
        input_limit=131_072,
        methods=_GEN_BASIC,
    ),
    _gemini_25(
        "gemini-robotics-er-1.5-preview",
        "Gemini Robotics-ER 1.5 Preview",
        "1.5-preview",
        "Gemini Robotics-ER 1.5 Preview",
        kind="flash",
        methods=_GEN_BASIC,
    ),
    _gemma("1B", 32_768),
    _gemma("4B", 32_768),
    _gemma("12B", 32_768),
    _gemma("27B", 131_072),
    _other(
        "text-embedding-004",
        "Text Embedding 004",
        "004",
        "Obtain a distributed representation of a text.",
        ("embedContent",),
        input_limit=2_048,
        output_limit=1,
        embedding_dimensions=768,
    ),
    _other(
        "gemini-embedding-001",
        "Gemini Embedding 001",
        "001",
        "Obtain a distributed representation of a text.",
        ("embedContent", "countTextTokens", "countTokens", "asyncBatchEmbedContent"),
        input_limit=2_048,
        output_limit=1,
        embedding_dimensions=3_072,
    ),
    _other(
        "gemini-embedding-2",
        "Gemini Embedding 2",
        "2",
        "Obtain a distributed representation of text, images, audio, video and documents.",
        ("embedContent", "countTokens", "asyncBatchEmbedContent"),
        input_limit=8_192,
        output_limit=1,
        embedding_dimensions=3_072,
    ),
    _other(
        "gemini-embedding-2-preview",
        "Gemini Embedding 2 Preview",
        "2-preview",
        "Obtain a distributed representation of text, images, audio, video and documents.",
        ("embedContent", "countTokens", "asyncBatchEmbedContent"),
        input_limit=8_192,
        output_limit=1,
        embedding_dimensions=3_072,
    ),
    ModelInfo(
        name="aqa",
        display_name="Model that performs Attributed Question Answering.",
        version="001",
        description="Model trained to return answers to questions that are grounded in provided "
        "sources, along with estimating answerable probability.",
        input_token_limit=7_168,
        output_token_limit=1_024,
        methods=("generateAnswer",),
        temperature=0.2,
        max_temperature=None,
        top_p=1.0,
        top_k=40,
        max_candidates=1,
    ),
    _media(
        "imagen-4.0-generate-001",
        "Imagen 4",
        "001",
        "Vertex served Imagen 4.0 model",
        "predict",
        _imagen_spec(sizes=("1K", "2K"), max_count=4),
    ),
    _media(
        "imagen-4.0-ultra-generate-001",
        "Imagen 4 Ultra",
        "001",
        "Vertex served Imagen 4.0 ultra model",
        "predict",
        _imagen_spec(sizes=("1K", "2K"), max_count=1),
    ),
    _media(
        "imagen-4.0-fast-generate-001",
        "Imagen 4 Fast",
        "001",
        "Vertex served Imagen 4.0 Fast model",
        "predict",
        _imagen_spec(sizes=("1K",), max_count=4),
    ),
    _media(
        "imagen-3.0-generate-002",
        "Imagen 3.0",
        "002",
        "Vertex served Imagen 3.0 002 model",
        "predict",
        _imagen_spec(sizes=("1K",), max_count=4),
    ),
    _media(
        "veo-2.0-generate-001",
        "Veo 2",
        "2.0",
        "Vertex served Veo 2 model",
        "predictLongRunning",
        _veo_spec(2, sizes=("720p",)),
    ),
    _media("veo-3.0-generate-001", "Veo 3", "3.0", "Veo 3", "predictLongRunning", _veo_spec(3)),
    _media(
        "veo-3.0-fast-generate-001",
        "Veo 3 fast",
        "3.0",
        "Veo 3 fast",
        "predictLongRunning",
        _veo_spec(3),
    ),
    _media(
        "veo-3.1-generate-preview", "Veo 3.1", "3.1", "Veo 3.1", "predictLongRunning", _veo_spec(3)
    ),
    _media(
        "veo-3.1-fast-generate-preview",
        "Veo 3.1 fast",
        "3.1",
        "Veo 3.1 fast",
        "predictLongRunning",
        _veo_spec(3),
    ),
    _media(
        "veo-3.1-lite-generate-preview",
        "Veo 3.1 lite",
        "3.1",
        "Veo 3.1 lite",
        "predictLongRunning",
        _veo_spec(3),
    ),
    # The model the tuning guide names as tunable on the Developer API.
    ModelInfo(
        name="gemini-1.5-flash-001-tuning",
        display_name="Gemini 1.5 Flash 001 Tuning",
        version="001",
        description="Version of Gemini 1.5 Flash that supports tuning.",
        input_token_limit=16_384,
        output_token_limit=8_192,
        methods=("generateContent", "countTokens", "createTunedModel"),
        top_k=64,
        thinking=False,
    ),
    _other(
        "lyria-realtime-exp",
        "Lyria RealTime Experimental",
        "exp",
        "Real-time music generation",
        ("bidiGenerateMusic",),
        input_limit=8_192,
        output_limit=8_192,
    ),
    _live(
        "gemini-3.1-flash-live-preview",
        "Gemini 3.1 Flash Live Preview",
        "Gemini 3.1 Flash Live Preview",
        native_audio=True,
    ),
    _live(
        "gemini-live-2.5-flash-preview",
        "Gemini Live 2.5 Flash Preview",
        "Gemini Live 2.5 Flash Preview",
        native_audio=False,
    ),
    _live(
        "gemini-2.5-flash-native-audio-latest",
        "Gemini 2.5 Flash Native Audio Latest",
        "Latest release of Gemini 2.5 Flash Native Audio",
        native_audio=True,
    ),
    _live(
        "gemini-2.5-flash-native-audio-preview-09-2025",
        "Gemini 2.5 Flash Native Audio Preview 09-2025",
        "Gemini 2.5 Flash Native Audio Preview 09-2025",
        native_audio=True,
    ),
)

_BY_NAME: dict[str, ModelInfo] = {m.name: m for m in _CATALOGUE}


def lookup(model_id: str) -> ModelInfo | None:
    """The model with this bare id (a ``models/`` prefix is tolerated), or None."""
    bare = model_id[len("models/") :] if model_id.startswith("models/") else model_id
    return _BY_NAME.get(bare)


def all_models() -> list[ModelInfo]:
    """Every model, in the listing's (stable) order."""
    return list(_CATALOGUE)


def not_supported_error(model_id: str, method: str, api_version: str = "v1beta") -> EmulatorError:
    """The 404 the real server gives for an unknown model or a method the model lacks."""
    bare = model_id[len("models/") :] if model_id.startswith("models/") else model_id
    return EmulatorError(
        404,
        f"models/{bare} is not found for API version {api_version}, or is not supported for "
        f"{method}. Call ListModels to see the list of available models and their supported "
        "methods.",
    )
