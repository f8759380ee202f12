"""A real child process (uvicorn, redis-server, nginx) on a free loopback port: started, polled until it answers,
stopped by its PID, with its output kept in a log file for failure messages."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType

from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers_http(url: str) -> bool:
    """True when GET `url` answers 200 (the app's /healthz, or a proxy in front of it)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def answers_redis(port: int) -> bool:
    """True when a redis-server on `port` answers PING."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Process:
    """One started command; `with Process.start(...) as p:` stops it on leaving, whatever happened."""

    def __init__(self, proc: subprocess.Popen[bytes], log_path: Path, port: int, url: str) -> None:
        self.proc = proc
        self.log_path = log_path
        self.port = port
        self.url = url

    @classmethod
    def start(cls, args: Sequence[str], log_path: Path, ready: Callable[[], bool], *, port: int, url: str = "",
              env: Mapping[str, str | None] | None = None, cwd: Path = ROOT, timeout: float = 60.0) -> Process:
        """Runs `args` with `env` laid over this process's environment (None removes a variable) and waits until
        `ready()` holds; fails with the end of the log if the process exits or never gets ready."""
        full_env = dict(os.environ)
        for name, value in (env or {}).items():
            if value is None:
                full_env.pop(name, None)
            else:
                full_env[name] = value
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as out:
            proc = subprocess.Popen(list(args), cwd=cwd, env=full_env, stdout=out, stderr=subprocess.STDOUT)
        process = cls(proc, log_path, port, url)
        try:
            eventually(lambda: process.proc.poll() is not None or ready(), timeout=timeout,
                       message=lambda: f"{args[0]} did not start:\n{process.log()[-3000:]}")
            if process.proc.poll() is not None:
                raise RuntimeError(f"{args[0]} exited with {process.proc.returncode}:\n{process.log()[-3000:]}")
        except BaseException:
            process.stop()
            raise
        return process

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, so the process shuts down as in production; SIGKILL if it has not gone after `timeout`."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill9(self) -> None:
        """SIGKILL: no shutdown code runs, as when the machine loses power."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def __enter__(self) -> Process:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # ---- what the process uses (Linux /proc), for the bench and the limit tests ----

    def pids(self) -> list[int]:
        """The process and its direct children (uvicorn's workers)."""
        pids = [self.proc.pid]
        try:
            pids += [int(p) for p in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()]
        except OSError:
            pass
        return pids

    def rss_bytes(self, peak: bool = False) -> int:
        """Resident memory of the process and its live children now, or each one's high-water mark (VmHWM)."""
        field = "VmHWM:" if peak else "VmRSS:"
        total = 0
        for pid in self.pids():
            try:
                lines = Path(f"/proc/{pid}/status").read_text().splitlines()
            except OSError:
                continue
            total += sum(int(line.split()[1]) * 1024 for line in lines if line.startswith(field))
        return total

    def cpu_seconds(self) -> float:
        """User + system CPU time the process and its live children have used so far."""
        total = 0.0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total


def start_uvicorn(log_path: Path, env: Mapping[str, str | None], *, app: str = "app.main:app", workers: int = 1,
                  log_level: str = "warning", args: Sequence[str] = (), port: int | None = None) -> Process:
    """`uvicorn app.main:app` on a free loopback port, ready once /healthz answers; `env` should set DELTAFLOW_DB."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
               "--log-level", log_level, *(["--workers", str(workers)] if workers > 1 else []), *args]
    return Process.start(command, log_path, lambda: answers_http(f"{url}/healthz"), port=port, url=url, env=env)
