"""Run the app under gunicorn, in-process (``sok serve``)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from search_app.web.app import create_app

if TYPE_CHECKING:
    from gunicorn.arbiter import Arbiter
    from gunicorn.workers.base import Worker


class SokServer(BaseApplication):
    """A gunicorn application: each worker creates the app (:func:`create_app`) with ``overrides``."""

    def __init__(self, options: dict[str, Any], overrides: dict[str, Any] | None = None) -> None:
        self.options = options
        self.overrides = overrides
        super().__init__()

    def load_config(self) -> None:
        """gunicorn's settings from ``options``."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        """The app of one worker, with the settings ``sok serve`` hands over."""
        return create_app(self.overrides)


def open_index_before_serving(worker: Worker) -> None:
    """Open and warm the snapshot in a new worker before it takes its first request."""
    try:
        worker.wsgi.extensions["sok_index"].get()
    except Exception as error:  # the requests will answer 503 and say why
        worker.log.warning("index not opened at start: %s", error)


def encoder_threads(workers: int, cores: int | None = None) -> int:
    """Encoder threads per worker: the cores shared out among the workers, at least one."""
    cores = cores or len(os.sched_getaffinity(0))
    return max(1, cores // max(workers, 1))


def metrics_folder() -> Path:
    """A fresh folder for prometheus-client's per-worker files (``PROMETHEUS_MULTIPROC_DIR``).

    An operator's folder is emptied of an earlier run's files; otherwise one is made for this
    instance. Set before any worker imports prometheus-client, which reads it at import.
    """
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
    else:
        folder = Path(tempfile.mkdtemp(prefix="sok-metrics-"))
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


def remove_metrics_folder(folder: Path, made_here: bool) -> Callable[[Arbiter], None]:
    """gunicorn's ``on_exit`` hook (the master only, never a worker) removing a folder ``sok serve`` made.

    Not ``atexit``: forked workers inherit atexit handlers, and the first worker to exit
    cleanly (SIGHUP, max requests) would delete the folder under the others.
    """
    def on_exit(server: Arbiter) -> None:
        if made_here:
            shutil.rmtree(folder, ignore_errors=True)
    return on_exit


def forget_worker_metrics(server: Arbiter, worker: Worker) -> None:
    """A worker that exited: its live gauges no longer count (prometheus-client multiprocess mode)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def control_socket_options(path: Path | None) -> dict:
    """gunicorn's control socket at ``path`` (owner only), or off.

    gunicorn's own default is one path per user ($XDG_RUNTIME_DIR/gunicorn.ctl), which every
    ``sok serve`` on a host would share; Sök opens one only where it is asked to.
    """
    if path is None:
        return {"control_socket_disable": True}
    return {"control_socket": str(path.resolve()), "control_socket_mode": 0o600}


def run(host: str, port: int, workers: int, control_socket: Path | None = None,
        overrides: dict[str, Any] | None = None) -> None:
    """Serve on ``host:port`` with ``workers`` processes until stopped; each creates the app with ``overrides``."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    # Each worker's encoder gets its share of the cores, so workers × threads stay within them.
    # Through the environment, because the worker's encoder is loaded by indexer.semantic.encoder,
    # which reads SOK_ENCODER_THREADS itself (the indexer never imports search_app's settings).
    os.environ.setdefault("SOK_ENCODER_THREADS", str(encoder_threads(workers)))
    # Also the environment: prometheus-client reads PROMETHEUS_MULTIPROC_DIR when a worker imports it.
    made_here = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    metrics = metrics_folder()
    SokServer({
        "bind": bind,
        "workers": workers,
        # gevent: a slow or idle client holds a greenlet, not the worker (search_app/web/worker.py).
        "worker_class": "search_app.web.worker.SokWorker",
        "worker_connections": 1000,
        "keepalive": 5,  # seconds to send a request head, and to keep an idle connection
        "timeout": 30,
        "graceful_timeout": 10,
        "accesslog": "-",
        "access_log_format": '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
        "errorlog": "-",
        "loglevel": "info",
        "post_worker_init": open_index_before_serving,
        "child_exit": forget_worker_metrics,
        "on_exit": remove_metrics_folder(metrics, made_here),
        **control_socket_options(control_socket),
    }, overrides).run()
