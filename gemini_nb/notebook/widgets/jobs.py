"""Monitors for long-running jobs: batch jobs as a live table, a tuning job as a live loss curve.

>>> from gemini_nb.notebook.widgets import BatchMonitor, TuningMonitor   # doctest: +SKIP
>>> BatchMonitor()              # every batch job of client.batches.list()  # doctest: +SKIP
>>> BatchMonitor(jobs=[job])    # only these                                 # doctest: +SKIP
>>> TuningMonitor(tuning_job)   # state, epoch, step, loss and the curve     # doctest: +SKIP

Both poll on a worker thread (every ``interval`` seconds, 2 by default) while a job they show
has not ended, then stop; the kernel stays free. :class:`BatchMonitor` shows each job's state,
a progress bar (succeeded + failed of the requests), the time since it was created, and Cancel
and Delete buttons (Delete asks once, in the widget); what went wrong with a job or a button is
written in its row. :class:`TuningMonitor` shows the state, the epoch, the step of all steps,
the latest loss and the loss curve, drawn by ``widgets/jobs.js`` from ``points``.

The protocol between ``widgets/jobs.js`` and these classes:

* synced traits, both: ``kind`` (``"batches"`` or ``"tuning"``), ``polling``, ``busy``,
  ``status`` and ``error``. Batches: ``rows`` (one dict per job: ``name``, ``display_name``,
  ``state``, ``model``, ``requests``, ``finished``, ``failed``, ``elapsed`` (text), ``done``,
  ``error``). Tuning: ``job`` (``name``, ``display_name``, ``state``, ``epoch``, ``epochs``,
  ``step``, ``total_steps``, ``loss``, ``done``, ``elapsed``) and ``points`` (``[step, loss]``).
* browser → kernel: ``{"type": "action", "action": "refresh" | "cancel" | "delete",
  "name": ...}``, run on the worker thread.

The client (and its key) stay in Python; no trait or message holds them.
"""

from __future__ import annotations

import contextlib
import html
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

try:
    import anywidget
    import traitlets
except ImportError as exc:
    from ..._optional import missing_dependency

    raise missing_dependency("BatchMonitor", exc.name or "anywidget", "notebook") from None

from .._session import session
from . import static_path
from .chat import describe_error

__all__ = ["BatchMonitor", "TuningMonitor"]

#: Seconds between two polls while a job is running.
POLL_SECONDS = 2.0
MAX_NAME = 300


def format_elapsed(seconds: float) -> str:
    """``"7 s"``, ``"3 min 05 s"``, ``"2 h 04 min"``: the time a job has taken so far."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def _elapsed(job: Any) -> str:
    start = job.create_time or getattr(job, "start_time", None)
    if start is None:
        return ""
    end = job.end_time or datetime.now(UTC)
    return format_elapsed((end - start).total_seconds())


def _short_state(state: str | None) -> str:
    return (state or "UNKNOWN").removeprefix("JOB_STATE_")


class _Monitor(anywidget.AnyWidget):
    """Polling and actions on one worker thread, shared by both monitors."""

    _esm = static_path("jobs.js")
    _css = static_path("jobs.css")

    kind = traitlets.Unicode("").tag(sync=True)
    polling = traitlets.Bool(False).tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self, *, client: Any = None, interval: float = POLL_SECONDS, **kwargs: Any
    ) -> None:
        if not interval > 0:
            raise ValueError(f"interval must be a positive number of seconds, not {interval!r}.")
        self._client = client
        self._interval = float(interval)
        self._lock = threading.RLock()
        self._executor: ThreadPoolExecutor | None = None
        self._job: Future[Any] | None = None  # the last action or poll
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self._owns_layout = "layout" not in kwargs
        super().__init__(**kwargs)
        self.on_msg(self._on_frontend_msg)

    def client(self) -> Any:
        return self._client if self._client is not None else session.client()

    # -- what subclasses say -----------------------------------------------------------------

    def refresh(self) -> Any:
        raise NotImplementedError

    def _running(self) -> bool:
        raise NotImplementedError

    def _handlers(self) -> dict[str, Callable[[str], Any]]:
        return {"refresh": lambda name: self._refresh_and_clear()}

    def _static_html(self) -> str:
        raise NotImplementedError

    # -- polling -----------------------------------------------------------------------------

    def _start_polling(self) -> None:
        """Poll every ``interval`` seconds while a job runs (started again by a refresh)."""
        with self._lock:
            if self._stop.is_set() or not self._running():
                self.polling = False
                return
            if self._poller is not None and self._poller.is_alive():
                return
            self.polling = True
            self._poller = threading.Thread(
                target=self._poll_loop, daemon=True, name=f"gemini-nb-{self.kind}-poll"
            )
            self._poller.start()

    def _poll_loop(self) -> None:
        while not self._stop.wait(self._interval):
            # _poll shows its own errors; a widget closed meanwhile refuses the work.
            with contextlib.suppress(Exception):
                self._in_background(self._poll).result()
            with self._lock:
                if not self._running():
                    self.polling = False
                    self._poller = None
                    return

    def _poll(self) -> None:
        try:
            self.refresh()
        except Exception as exc:
            self.error = f"Could not refresh: {describe_error(exc)}"
        else:
            if self.error.startswith("Could not refresh"):
                self.error = ""

    def _refresh_and_clear(self) -> None:
        self.refresh()
        with self.hold_sync():
            self.status = ""
            self.error = ""
        self._start_polling()

    # -- messages from the browser -----------------------------------------------------------

    def _on_frontend_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "action":
            return
        action, name = content.get("action"), content.get("name")
        handler = self._handlers().get(action) if isinstance(action, str) else None
        if handler is None:
            return
        name = name[:MAX_NAME] if isinstance(name, str) else ""
        self._in_background(lambda: handler(name), busy=True)

    def _in_background(self, work: Callable[[], Any], *, busy: bool = False) -> Future[Any]:
        def run() -> None:
            try:
                work()
            except Exception as exc:  # shown in the widget, not raised into a cell
                self.error = describe_error(exc) if not isinstance(exc, ValueError) else str(exc)
            finally:
                if busy:
                    self.busy = False

        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix=f"gemini-nb-{self.kind}"
                )
            if busy:
                self.busy = True
            job = self._executor.submit(run)
            if busy:
                self._job = job
            return job

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        # Renderers without a widget manager (nbconvert, GitHub) fall back to text/html.
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        return {**data, "text/html": self._static_html()}, metadata

    def close(self) -> None:
        # Also called by __del__ of a widget whose __init__ failed half-way.
        stop = getattr(self, "_stop", None)
        if stop is not None:
            stop.set()
        executor = getattr(self, "_executor", None)
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        if getattr(self, "_owns_layout", False) and self.layout is not None:
            self.layout.close()
        super().close()


class BatchMonitor(_Monitor):
    """Batch jobs with their live state and progress; Cancel and Delete per job.

    ``jobs``: BatchJob objects or names to show (by default every job of
    ``client.batches.list()``, listed again at each poll). ``interval``: seconds between polls.
    :meth:`cancel`, :meth:`delete` and :meth:`refresh` do what the buttons do.
    """

    rows = traitlets.List(traitlets.Dict()).tag(sync=True)

    def __init__(
        self,
        client: Any = None,
        jobs: Iterable[Any] | None = None,
        *,
        interval: float = POLL_SECONDS,
        **kwargs: Any,
    ) -> None:
        from ...resources.batches import batch_name

        names: list[str] | None = None
        if jobs is not None:
            given = [jobs] if isinstance(jobs, str) else list(jobs)
            names = [batch_name(j) for j in given]
            if client is None:  # the jobs' own client, when they came from one
                client = next(
                    (
                        getattr(j, "_client", None)
                        for j in given
                        if getattr(j, "_client", None) is not None
                    ),
                    None,
                )
        self._names = names
        self._jobs: dict[str, Any] = {}
        self._row_errors: dict[str, str] = {}
        super().__init__(client=client, interval=interval, kind="batches", **kwargs)
        self.refresh()
        self._start_polling()

    def __repr__(self) -> str:
        running = sum(1 for r in self.rows if not r.get("done"))
        return f"BatchMonitor(jobs={len(self.rows)}, running={running})"

    @property
    def jobs(self) -> list[Any]:
        """The BatchJob objects as of the last refresh, in table order."""
        with self._lock:
            return list(self._jobs.values())

    def refresh(self) -> list[Any]:
        """Fetch the jobs again and redraw the table in place; the jobs."""
        client = self.client()
        if self._names is None:
            fetched = list(client.batches.list())
        else:
            fetched = []
            for name in list(self._names):
                try:
                    fetched.append(client.batches.get(name=name))
                except Exception as exc:
                    self._row_errors[name] = describe_error(exc)
                    fetched.append(None)
        with self._lock:
            names = self._names
            order = names if names is not None else [j.name for j in fetched if j.name]
            by_name = {j.name: j for j in fetched if j is not None and j.name}
            self._jobs = {n: by_name[n] for n in order if n in by_name}
            self.rows = [self._row(n, by_name.get(n)) for n in order]
        return self.jobs

    def _row(self, name: str, job: Any) -> dict[str, Any]:
        if job is None:
            return {
                "name": name,
                "display_name": "",
                "state": "UNKNOWN",
                "model": "",
                "requests": 0,
                "finished": 0,
                "failed": 0,
                "elapsed": "",
                "done": True,
                "error": self._row_errors.get(name, ""),
            }
        stats = job.batch_stats
        error = self._row_errors.get(name, "")
        if not error and job.error is not None and job.state != "JOB_STATE_CANCELLED":
            error = job.error.message or f"error code {job.error.code}"
        return {
            "name": name,
            "display_name": job.display_name or "",
            "state": _short_state(job.state),
            "model": (job.model or "").removeprefix("models/"),
            "requests": (stats.request_count or 0) if stats else 0,
            "finished": stats.finished if stats else 0,
            "failed": (stats.failed_request_count or 0) if stats else 0,
            "elapsed": _elapsed(job),
            "done": bool(job.done),
            "error": error,
        }

    def _running(self) -> bool:
        return any(not r.get("done") for r in self.rows)

    def _act(self, verb: str, name: str, call: Callable[[str], Any]) -> bool:
        if not name:
            raise ValueError(f"Say which job to {verb}.")
        try:
            call(name)
        except Exception as exc:
            self._row_errors[name] = f"Could not {verb}: {describe_error(exc)}"
            ok = False
        else:
            self._row_errors.pop(name, None)
            ok = True
        return ok

    def cancel(self, name: str | Any) -> bool:
        """Cancel a job (a BatchJob or its name); True if the server took it."""
        from ...resources.batches import batch_name

        name = batch_name(name)
        ok = self._act("cancel", name, lambda n: self.client().batches.cancel(name=n))
        self.refresh()
        self.status = f"Cancelled {name}." if ok else ""
        return ok

    def delete(self, name: str | Any) -> bool:
        """Delete a job (a BatchJob or its name) and drop its row; True if it is gone."""
        from ...resources.batches import batch_name

        name = batch_name(name)
        ok = self._act("delete", name, lambda n: self.client().batches.delete(name=n))
        if ok and self._names is not None:
            self._names = [n for n in self._names if n != name]
        self.refresh()
        self.status = f"Deleted {name}." if ok else ""
        return ok

    def _handlers(self) -> dict[str, Callable[[str], Any]]:
        return {**super()._handlers(), "cancel": self.cancel, "delete": self.delete}

    def _static_html(self) -> str:
        head = "".join(
            f"<th>{h}</th>" for h in ("job", "state", "requests done", "failed", "elapsed", "error")
        )
        body = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in (
                    r.get("display_name") or r.get("name"),
                    r.get("state"),
                    f"{r.get('finished', 0)}/{r.get('requests', 0)}",
                    r.get("failed", 0),
                    r.get("elapsed", ""),
                    r.get("error", ""),
                )
            )
            + "</tr>"
            for r in self.rows
        )
        count = f"{len(self.rows)} batch job{'' if len(self.rows) == 1 else 's'}"
        return (
            '<div class="gnb-jobs-static" style="max-width:100%;overflow-x:auto">'
            f'<div style="color:#666;font-size:90%">{count} (a saved view: the live table '
            "needs a running kernel)</div>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        )


class TuningMonitor(_Monitor):
    """A tuning job's state, epoch, step of all steps, latest loss and live loss curve.

    ``job_or_name``: a TuningJob (from ``client.tunings.tune``) or its name. Polls every
    ``interval`` seconds until the job has ended; :attr:`tuning_job` is the job, up to date.
    """

    job = traitlets.Dict().tag(sync=True)
    points = traitlets.List(traitlets.List()).tag(sync=True)

    def __init__(
        self, job_or_name: Any, client: Any = None, *, interval: float = POLL_SECONDS, **kwargs: Any
    ) -> None:
        from ...resources.tunings import tuning_name

        self._name = tuning_name(job_or_name)
        if client is None:
            client = getattr(job_or_name, "_client", None)
        self._total_steps: int | None = getattr(job_or_name, "total_steps", None)
        self._tuning: Any = None
        super().__init__(client=client, interval=interval, kind="tuning", **kwargs)
        self.refresh()
        self._start_polling()

    def __repr__(self) -> str:
        j = self.job
        return (
            f"TuningMonitor(name={j.get('name')!r}, state={j.get('state')!r}, "
            f"step={j.get('step')}, loss={j.get('loss')})"
        )

    @property
    def tuning_job(self) -> Any:
        """The TuningJob as of the last refresh."""
        return self._tuning

    def refresh(self) -> Any:
        """Fetch the job again and redraw; the job."""
        fresh = self.client().tunings.get(name=self._name)
        if fresh.total_steps is None and self._total_steps is not None:
            object.__setattr__(fresh, "total_steps", self._total_steps)
        snaps = fresh.snapshots
        last = snaps[-1] if snaps else None
        epochs = fresh.hyperparameters.epoch_count if fresh.hyperparameters else None
        total = fresh.total_steps
        if fresh.done and last is not None and last.step is not None:
            total = last.step
        error = ""
        if fresh.error is not None:
            error = fresh.error.message or f"error code {fresh.error.code}"
        with self._lock:
            self._tuning = fresh
            with self.hold_sync():
                self.job = {
                    "name": fresh.name or self._name,
                    "display_name": fresh.tuned_model_display_name or "",
                    "state": _short_state(fresh.state),
                    "epoch": last.epoch if last else None,
                    "epochs": epochs,
                    "step": last.step if last else None,
                    "total_steps": total,
                    "loss": last.mean_loss if last else None,
                    "done": bool(fresh.done),
                    "elapsed": _elapsed(fresh),
                }
                self.points = [
                    [s.step, s.mean_loss]
                    for s in snaps
                    if s.step is not None and s.mean_loss is not None
                ]
                if error:
                    self.error = error
        return fresh

    def _running(self) -> bool:
        return not self.job.get("done", False)

    def _static_html(self) -> str:
        j = self.job
        of = f" of {j['total_steps']}" if j.get("total_steps") else ""
        loss = j.get("loss")
        head = (
            f"{html.escape(str(j.get('display_name') or j.get('name')))}: "
            f"{html.escape(str(j.get('state')))}, epoch {j.get('epoch') or 0}"
            f"{'/' + str(j['epochs']) if j.get('epochs') else ''}, step {j.get('step') or 0}"
            f"{of}" + (f", loss {loss:.4f}" if isinstance(loss, (int, float)) else "")
        )
        rows = "".join(
            f"<tr><td>{step}</td><td>{value:.4f}</td></tr>" for step, value in self.points
        )
        return (
            '<div class="gnb-jobs-static" style="max-width:100%;overflow-x:auto">'
            f"<div>{head}</div><table><thead><tr><th>step</th><th>mean loss</th></tr>"
            f"</thead><tbody>{rows}</tbody></table></div>"
        )
