"""Templates render in a worker process: a time limit, a memory cap, never the event loop.

The sandbox's guards (application/templating.py) refuse the expensive expressions we know;
this is for the ones we do not. Each render is sent to a worker process (a fresh interpreter,
so no inherited locks or sockets) over a pipe; the calling thread waits at most the timeout, then
kills the worker and the next render starts a fresh one. The worker caps its own address
space (RLIMIT_AS), so a huge allocation fails there with MemoryError instead of swapping the
host. The waiting happens in a small dedicated thread pool (one thread per worker process):
the event loop only awaits a future, whatever a template costs.

One pool per process and configuration (`shared`): in standalone and in tests every notify
runtime reuses the same workers instead of spawning its own.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

import jinja2

from notify.application.templating import Rendered, Template, too_expensive
from notify.domain.errors import Invalid

log = logging.getLogger(__name__)
_STARTUP_TIMEOUT_SECONDS = 60.0  # spawning on a loaded machine; not part of a render's budget


def _address_space_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _limit_memory(memory_mb: int) -> None:
    """Caps the worker's address space at what it uses now plus `memory_mb`."""
    try:
        import resource
    except ImportError:  # not on this platform: the timeout still applies
        return
    cap = _address_space_bytes() + memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _worker_main(conn_in: Connection, conn_out: Connection, memory_mb: int) -> None:
    """The worker's loop: one request at a time, answered with plain tuples (picklable)."""
    from notify.application.templating import TemplateEngine

    engine = TemplateEngine()
    _limit_memory(memory_mb)
    conn_out.send(("ready",))
    while True:
        try:
            op, template, context = conn_in.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        try:
            rendered = engine.check(template) if op == "check" else engine.render(template, context)
            reply: tuple[Any, ...] = ("ok", rendered.subject, rendered.body)
        except Invalid as exc:
            reply = ("invalid", exc.code, exc.message_vi, exc.field)
        except MemoryError:
            exc_ = too_expensive()
            reply = ("invalid", exc_.code, exc_.message_vi, exc_.field)
        except jinja2.TemplateError as exc:
            reply = ("template_error", str(exc)[:500])
        except Exception as exc:  # TypeError, KeyError, ... of a template with these values
            reply = ("value_error", f"{type(exc).__name__}: {exc}"[:500])
        try:
            conn_out.send(reply)
        except MemoryError:
            exc_ = too_expensive()
            conn_out.send(("invalid", exc_.code, exc_.message_vi, exc_.field))


class _Worker:
    """One worker: `python -m notify.adapters.render_process` with a pipe each way. Not
    multiprocessing's spawn, which would re-run the parent's `__main__` in the child."""

    def __init__(self, memory_mb: int) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "notify.adapters.render_process",
                    str(to_child_r),
                    str(from_child_w),
                    str(memory_mb),
                ],
                pass_fds=(to_child_r, from_child_w),
                stdin=subprocess.DEVNULL,
                close_fds=True,
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.send = Connection(to_child_w, readable=False)
        self.recv = Connection(from_child_r, writable=False)
        try:
            ready = self.recv.poll(_STARTUP_TIMEOUT_SECONDS) and self.recv.recv() == ("ready",)
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.kill()
            raise RuntimeError("the template render worker did not start")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log.warning("template render worker did not exit after SIGKILL")
        self.send.close()
        self.recv.close()


class ProcessTemplates:
    """`await render(template, context)` / `await check(template)` in a worker process.

    Raises `Invalid` for a template past a limit (template.too_expensive when the timeout or
    the memory cap is reached), `jinja2.TemplateError` or `ValueError` for one that cannot
    render with these values (what the in-process engine raised before)."""

    def __init__(self, *, timeout_seconds: float, memory_mb: int, workers: int = 1) -> None:
        self.timeout_seconds = timeout_seconds
        self._memory_mb = memory_mb
        self._executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="template-render"
        )
        self._local = threading.local()
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self.killed = 0  # workers replaced after a timeout or a crash
        self.in_flight = 0  # renders sent to a worker and not answered yet

    async def render(self, template: Template, context: dict[str, Any]) -> Rendered:
        return await self._call("render", template, context)

    async def check(self, template: Template) -> Rendered:
        return await self._call("check", template, {})

    async def _call(self, op: str, template: Template, context: dict[str, Any]) -> Rendered:
        loop = asyncio.get_running_loop()
        reply = await loop.run_in_executor(
            self._executor, self._blocking, op, template, context, self.timeout_seconds
        )
        kind = reply[0]
        if kind == "ok":
            return Rendered(reply[1], reply[2])
        if kind == "invalid":
            raise Invalid(reply[1], reply[2], field=reply[3])
        if kind == "template_error":
            raise jinja2.TemplateError(reply[1])
        raise ValueError(reply[1])

    def _worker(self) -> _Worker:
        worker: _Worker | None = getattr(self._local, "worker", None)
        if worker is None or not worker.alive():
            worker = _Worker(self._memory_mb)
            self._local.worker = worker
            with self._lock:
                self._workers.add(worker)
        return worker

    def _drop(self, worker: _Worker) -> None:
        worker.kill()
        self._local.worker = None
        with self._lock:
            self._workers.discard(worker)
        self.killed += 1

    def _blocking(
        self, op: str, template: Template, context: dict[str, Any], timeout: float
    ) -> tuple[Any, ...]:
        worker = self._worker()
        expensive = too_expensive()
        refused = ("invalid", expensive.code, expensive.message_vi, expensive.field)
        with self._lock:
            self.in_flight += 1
        try:
            worker.send.send((op, template, context))
            if not worker.recv.poll(timeout):
                log.warning(
                    "template render stopped at its time limit",
                    extra={"timeout_seconds": timeout, "kind": template.kind.value},
                )
                self._drop(worker)
                return refused
            reply: tuple[Any, ...] = worker.recv.recv()
            return reply
        except (EOFError, OSError, BrokenPipeError):  # the worker died (memory, signal)
            log.warning("template render worker died", extra={"kind": template.kind.value})
            self._drop(worker)
            return refused
        finally:
            with self._lock:
                self.in_flight -= 1

    def close(self) -> None:
        with self._lock:
            workers, self._workers = list(self._workers), set()
        for worker in workers:
            worker.kill()
        self._executor.shutdown(wait=False, cancel_futures=True)


_SHARED: dict[tuple[float, int, int], ProcessTemplates] = {}
_SHARED_LOCK = threading.Lock()


def shared(*, timeout_seconds: float, memory_mb: int, workers: int = 1) -> ProcessTemplates:
    key = (timeout_seconds, memory_mb, workers)
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is None:
            found = _SHARED[key] = ProcessTemplates(
                timeout_seconds=timeout_seconds, memory_mb=memory_mb, workers=workers
            )
        return found


@atexit.register
def _close_shared() -> None:
    with _SHARED_LOCK:
        pools = list(_SHARED.values())
        _SHARED.clear()
    for pool in pools:
        pool.close()


if __name__ == "__main__":
    _worker_main(
        Connection(int(sys.argv[1]), writable=False),
        Connection(int(sys.argv[2]), readable=False),
        int(sys.argv[3]),
    )
