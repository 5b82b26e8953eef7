"""Two scheduler processes against one database: exactly one runs jobs; when it is killed,
the other takes over. A job that fails (here: no SMTP server) is logged and the scheduler
goes on. Runs on both engines: PostgreSQL's advisory lock, SQLite's lock file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.orm import Session

from tracker import migrate
from tracker.db import make_engine
from tracker.services.seed import load_seed
from tracker.services.users import create_user

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(url: str, log: Path, handles: list) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")},
        "TRACKER_DATABASE_URL": url,
        "TRACKER_SECRET_KEY": "scheduler-test",
        "TRACKER_SMTP_HOST": "127.0.0.1",
        "TRACKER_SMTP_PORT": str(_closed_port()),  # nobody listens: the job fails, on purpose
    }
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "app",
        "tracker",
        "scheduler",
        "--reminders-every",
        "1",
        "--poll",
        "0.3",
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=_handle(log, handles), stderr=subprocess.STDOUT
    )


def _handle(log: Path, handles: list):  # type: ignore[no-untyped-def]
    handle = log.open("w")
    handles.append(handle)
    return handle


def _wait_for(log: Path, text: str, count: int = 1, timeout: float = 30.0) -> str:
    """Poll the process's log until `text` appears `count` times (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = log.read_text() if log.exists() else ""
        if content.count(text) >= count:
            return content
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not seen {count} time(s) in {timeout} s:\n{log.read_text()}")


def test_one_scheduler_runs_and_the_other_takes_over(scratch_url, tmp_path):
    engine = make_engine(scratch_url)
    migrate.upgrade(engine)
    with Session(engine) as session:  # the seed case is overdue for a signing: mail to send
        load_seed(session)
        create_user(session, "editor@example.org", role="editor")
    engine.dispose()
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    handles: list = []
    first = _start(scratch_url, first_log, handles)
    second = None
    try:
        _wait_for(first_log, "holding the lock")
        second = _start(scratch_url, second_log, handles)
        _wait_for(second_log, "waiting idle")
        log = _wait_for(first_log, "job reminders failed", count=2)  # failing jobs do not stop it
        assert "could not send mail" in log
        assert "holding the lock" not in second_log.read_text()
        assert "job reminders" not in second_log.read_text()

        first.send_signal(signal.SIGKILL)  # dies without cleaning up: its connection closes
        first.wait(timeout=10)
        taken = _wait_for(second_log, "holding the lock")
        assert "waiting idle" in taken.split("holding the lock")[0]
        _wait_for(second_log, "job reminders")
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
        for handle in handles:
            handle.close()
