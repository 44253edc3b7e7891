"""Run the app under gunicorn, in-process (``sok serve``)."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import sys
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

    def __init__(self, options: dict[str, Any], overrides: dict[str, Any] | None = None,
                 config_file: str = "") -> None:
        self.options = options
        self.overrides = overrides
        self.config_file = config_file
        super().__init__()

    def load_config(self) -> None:
        """gunicorn's settings: Sök's ``options``, then the operator's file, then ``GUNICORN_CMD_ARGS``.

        The operator's own settings win, as with the ``gunicorn`` command (which reads the same
        variable); ``bind`` stays the one ``sok serve --host/--port`` gave unless they set it.
        """
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if self.config_file:
            for key, value in gunicorn_config_file(self.config_file).items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)
        from_environment = self.cfg.parser().parse_args(self.cfg.get_cmd_args_from_env())
        for key, value in vars(from_environment).items():
            if value is not None and key != "args":
                self.cfg.set(key.lower(), value)

    def load(self) -> Flask:
        """The app of one worker, with the settings ``sok serve`` hands over."""
        return create_app(self.overrides)


def gunicorn_config_file(path: str) -> dict[str, Any]:
    """The lower-case names a gunicorn configuration file (Python) assigns, as gunicorn reads it."""
    namespace: dict[str, Any] = {"__file__": path}
    with open(path, "rb") as file:
        exec(compile(file.read(), path, "exec"), namespace)  # noqa: S102 (the operator's own file, as gunicorn runs it)
    return {name: value for name, value in namespace.items() if not name.startswith("_")}


def address_to_open(host: str, port: int) -> str:
    """The address a person opens in a browser for ``host:port`` (loopback for an any-address bind)."""
    if host in ("", "0.0.0.0"):  # noqa: S104 (recognises the any-address, binds nothing)
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def bind_problem(host: str, port: int) -> str | None:
    """One Swedish line saying why ``sok serve`` cannot listen on ``host:port``, or None when it can."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: TIME_WAIT is no conflict
        try:
            probe.bind((host, port))
        except OSError as error:
            where = f"{host}:{port}" if family == socket.AF_INET else f"[{host}]:{port}"
            if error.errno == errno.EADDRINUSE:
                return (f"Porten {port} används redan av ett annat program ({where}). Välj en annan port, "
                        f"till exempel: make run PORT={port + 1 if port < 65535 else 8080} "
                        f"(eller sok serve --port …).")
            if error.errno == errno.EACCES:
                return (f"Sök får inte lyssna på port {port} ({where}): portar under 1024 kräver särskild "
                        f"behörighet. Välj en annan port, till exempel: make run PORT=8000.")
            return f"Sök kan inte lyssna på {where}: {error.strerror}. Välj en annan adress med HOST=… eller PORT=…."
    return None


def say_where_to_open(host: str, port: int, log_format: str) -> Callable[[Arbiter], None]:
    """gunicorn's ``when_ready`` hook: once listening, say in Swedish which address to open."""
    url = address_to_open(host, port)

    def when_ready(server: Arbiter) -> None:
        if log_format == "json":
            server.log.info("ready", extra={"sok_fields": {"event": "ready", "url": url}})
        else:
            print(f"Sök svarar på {url} – öppna adressen i en webbläsare", file=sys.stdout, flush=True)
    return when_ready


def open_index_before_serving(worker: Worker) -> None:
    """Open and warm the snapshot in a new worker before it takes its first request; then cap its thread pools."""
    try:
        worker.wsgi.extensions["sok_index"].get()
    except Exception as error:  # the requests will answer 503 and say why
        worker.log.warning("index not opened at start: %s", error)
    limit_native_threads()


def forget_stale_snapshot(index_root: Path) -> Callable[[Arbiter, Worker], None]:
    """gunicorn's ``pre_fork`` hook: the master lets go of its warmed snapshot once ``current`` moved on."""
    def pre_fork(server: Arbiter, worker: Worker) -> None:
        from search_app.web.preload import drop_if_stale

        drop_if_stale(index_root)
    return pre_fork


def _no_hook(server: Arbiter, worker: Worker) -> None:
    """gunicorn's ``pre_fork`` when there is no index folder to watch."""


def limit_native_threads() -> None:
    """This worker's BLAS and OpenMP thread pools at its share of the cores (``SOK_ENCODER_THREADS``).

    numpy's OpenBLAS otherwise runs a large product (the exact vector scan) on every core,
    in each worker at once; its threads then wait on one another (measured: twice the time
    and twice the CPU of one thread on two shared cores). Libraries loaded after this keep
    their own counts (faiss sets its own to one: indexer.semantic.ann).
    """
    from threadpoolctl import threadpool_limits

    value = os.environ.get("SOK_ENCODER_THREADS", "").strip()
    threadpool_limits(limits=int(value) if value.isdigit() and int(value) > 0 else 1)


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
        overrides: dict[str, Any] | None = None, log_format: str = "text", gunicorn_config: str = "") -> None:
    """Serve on ``host:port`` with ``workers`` processes until stopped; each creates the app with ``overrides``.

    ``log_format`` is ``text`` (gunicorn's lines) or ``json`` (one object a line,
    :mod:`search_app.web.server_logs`); ``gunicorn_config`` names an operator's gunicorn
    settings file, read after Sök's settings and before ``GUNICORN_CMD_ARGS``.
    """
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
        # No peer sets the scheme or the path by X-Forwarded-* headers through gunicorn (it trusts
        # 127.0.0.1 by default): the app's ProxyFix counts them from PROXY_COUNT proxies only.
        "forwarded_allow_ips": "",
        "timeout": 30,
        "graceful_timeout": 10,
        "accesslog": "-",
        "access_log_format": '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
        "errorlog": "-",
        "loglevel": "info",
        "post_worker_init": open_index_before_serving,
        "pre_fork": forget_stale_snapshot(Path(overrides["INDEX_DIR"])) if overrides and "INDEX_DIR" in overrides
        else _no_hook,
        "when_ready": say_where_to_open(host, port, log_format),
        **({"logger_class": "search_app.web.server_logs.JsonLogger"} if log_format == "json" else {}),
        "child_exit": forget_worker_metrics,
        "on_exit": remove_metrics_folder(metrics, made_here),
        **control_socket_options(control_socket),
    }, overrides, config_file=gunicorn_config).run()
