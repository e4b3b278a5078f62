"""``%%gemini --image``, ``--video`` and ``--speech``: a picture, a video or speech as the answer.

* ``--image``: a Gemini image model (``GeminiMagics.image_model``) answers with a line of
  text and a picture; ``-f`` attaches pictures to edit, and with ``-c NAME`` every turn of the
  chat edits the last picture. With ``-m imagen-…`` Imagen makes ``-n`` pictures, shown in a
  :class:`~gemini_nb.notebook.widgets.GalleryWidget` when there are several.
* ``--video``: Veo (``GeminiMagics.video_model``) makes ``-n`` videos of ``--seconds``
  seconds; a waiting line counts the seconds until the operation is done, then the videos are
  downloaded and play in the output. ``-f`` attaches the first frame.
* ``--speech``: a speech model (``GeminiMagics.speech_model``) reads the prompt aloud in
  ``--voice`` (``GeminiMagics.voice``), or, with ``--speakers A:VOICE,B:VOICE``, the lines
  "A: …" and "B: …" in two voices; the answer plays in the output.

``--aspect`` and ``--size`` pass the aspect ratio and size (``1K``/``2K``/``4K`` for
pictures, ``720p``/``1080p`` for videos). ``-o NAME`` keeps the answer (a
``GenerateContentResponse``, ``GenerateImagesResponse`` or ``GenerateVideosResponse``, its
videos downloaded). Outputs stay within the size bound of :mod:`._render_media`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._session import session

if TYPE_CHECKING:
    from ._options import CellOptions
    from .magics import GeminiMagics

__all__ = ["run_media"]


def run_media(magics: GeminiMagics, opts: CellOptions, prompt: str, ns: dict[str, Any]) -> Any:
    """Answer the cell with a picture, a video or speech; the value the cell returns."""
    from IPython.core.error import UsageError

    from .._exceptions import APIError, InvalidInputError
    from .display import LiveDisplay
    from .magics import _short_traceback

    mode = opts.media
    model = (
        opts.model
        or {
            "image": magics.image_model,
            "video": magics.video_model,
            "speech": magics.speech_model,
        }[str(mode)]
    )
    live = LiveDisplay(model, notes=False)
    live.wait()
    try:
        if mode == "image":
            result, bundle = _image(magics, opts, model, prompt, ns)
        elif mode == "video":
            result, bundle = _video(magics, opts, model, prompt, ns)
        else:
            result, bundle = _speech(magics, opts, model, prompt)
    except InvalidInputError as exc:
        live.fail(lambda: None, exc)
        raise UsageError(f"%%gemini: {exc}") from None
    except APIError as err:
        live.fail(lambda: None, err)
        ns["_gemini_error"] = err
        _short_traceback(err)
        raise
    except BaseException as exc:
        live.fail(lambda: None, exc)
        raise
    finally:
        live.close()
    if opts.output:
        ns[opts.output] = result
    if bundle is None:  # a gallery: shown as a widget under the cell
        from IPython.display import display

        live.show({"text/plain": f"{model} · {len(result.images)} pictures"})
        display(_gallery(result))
        return None
    live.show(bundle)
    return None


def _attachments(magics: GeminiMagics, opts: CellOptions, ns: dict[str, Any]) -> list[Any]:
    return list(magics._attachments(opts.files, ns, upload=False))


def _image(
    magics: GeminiMagics, opts: CellOptions, model: str, prompt: str, ns: dict[str, Any]
) -> tuple[Any, dict[str, str] | None]:
    from IPython.core.error import UsageError

    from .display import response_bundle

    client = session.client()
    pictures = _attachments(magics, opts, ns)
    if model.removeprefix("models/").startswith("imagen"):
        if pictures or opts.chat:
            raise UsageError(
                "%%gemini: Imagen makes new pictures from a prompt; to edit one "
                "(-f) or to edit in a chat (-c), use a Gemini image model such "
                "as -m gemini-2.5-flash-image."
            )
        imagen = {
            k: v
            for k, v in (
                ("number_of_images", opts.count),
                ("aspect_ratio", opts.aspect),
                ("image_size", opts.size),
            )
            if v is not None
        }
        response = client.models.generate_images(model=model, prompt=prompt, config=imagen)
        session.record(model, None)
        if len(response.generated_images) > 1 and _have_widgets():
            return response, None
        return response, response._repr_mimebundle_()
    if opts.count not in (None, 1):
        raise UsageError(
            "%%gemini: -n makes several pictures with Imagen (-m imagen-4.0-"
            "generate-001); a Gemini image model answers with one."
        )
    image_config = {
        k: v for k, v in (("aspect_ratio", opts.aspect), ("image_size", opts.size)) if v is not None
    }
    config: dict[str, Any] = {"response_modalities": ["TEXT", "IMAGE"]}
    if image_config:
        config["image_config"] = image_config
    contents = [prompt, *pictures]
    if opts.chat:
        chat = magics._chat(opts.chat, model, config)
        answer = chat.send_message(contents)
    else:
        answer = client.models.generate_content(model=model, contents=contents, config=config)
    session.record(model, answer.usage_metadata)
    return answer, response_bundle(answer, model=model)


def _video(
    magics: GeminiMagics, opts: CellOptions, model: str, prompt: str, ns: dict[str, Any]
) -> tuple[Any, dict[str, str]]:
    from IPython.core.error import UsageError

    frames = [_raw_attachment(magics, spec, ns) for spec in opts.files]
    if len(frames) > 1:
        raise UsageError("%%gemini: --video takes one picture (-f), its first frame.")
    config = {
        k: v
        for k, v in (
            ("number_of_videos", opts.count),
            ("duration_seconds", opts.seconds),
            ("aspect_ratio", opts.aspect),
            ("resolution", opts.size),
        )
        if v is not None
    }
    client = session.client()
    operation = client.models.generate_videos(
        model=model, prompt=prompt, image=frames[0] if frames else None, config=config
    )
    result = operation.wait(timeout=magics.video_timeout)
    for video in result.videos:
        client.files.download(file=video)
    return result, result._repr_mimebundle_()


def _raw_attachment(magics: GeminiMagics, spec: str, ns: dict[str, Any]) -> Any:
    """A ``-f`` value as the picture it names (a path is read as an Image)."""
    from pathlib import Path

    from ..types.media import Image

    value = magics._attachment(spec, ns)
    if isinstance(value, (str, Path)):
        return Image.from_file(location=value)
    return value


def _speech(
    magics: GeminiMagics, opts: CellOptions, model: str, prompt: str
) -> tuple[Any, dict[str, str]]:
    from .display import response_bundle

    speech: dict[str, Any]
    if opts.speakers:
        speech = {
            "multi_speaker_voice_config": {
                "speaker_voice_configs": [
                    {
                        "speaker": name,
                        "voice_config": {"prebuilt_voice_config": {"voice_name": voice}},
                    }
                    for name, voice in opts.speakers
                ]
            }
        }
    else:
        speech = {
            "voice_config": {"prebuilt_voice_config": {"voice_name": opts.voice or magics.voice}}
        }
    answer = session.client().models.generate_content(
        model=model,
        contents=prompt,
        config={"response_modalities": ["AUDIO"], "speech_config": speech},
    )
    session.record(model, answer.usage_metadata)
    return answer, response_bundle(answer, model=model)


def _have_widgets() -> bool:
    from importlib.util import find_spec

    return find_spec("anywidget") is not None


def _gallery(response: Any) -> Any:
    from .widgets.gallery import GalleryWidget

    return GalleryWidget(response)
