"""Two scheduler processes against one database: exactly one runs jobs; when it is killed,
the other takes over. A job that fails (here: no SMTP server) is logged and the scheduler
goes on. Runs on both engines: PostgreSQL's advisory lock, SQLite's lock file."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Inbox, free_port
from tracker import migrate
from tracker.db import make_engine
from tracker.models import Digest
from tracker.services.accounts.users import create_user
from tracker.services.data.seed import load_seed

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(url: str, log: Path, handles: list, smtp_port: int | None = None) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")},
        "TRACKER_DATABASE_URL": url,
        "TRACKER_SECRET_KEY": "scheduler-test",
        "TRACKER_SMTP_HOST": "127.0.0.1",
        # By default nobody listens: the job fails, on purpose.
        "TRACKER_SMTP_PORT": str(smtp_port or _closed_port()),
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


class SlowInbox(Inbox):
    """An SMTP server slow to accept each recipient: a sender killed then has not handed the
    message over yet (a kill after the server's final 250 and before the sender records it
    would be a duplicate no sender can prevent)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        await asyncio.sleep(0.3)
        envelope.rcpt_tos.append(address)
        return "250 OK"


def _delivered(inbox: Inbox) -> Counter:
    with inbox.lock:
        return Counter(
            rcpt for m in inbox.messages for rcpt in m.rcpt_tos if rcpt.startswith("subscriber")
        )


def test_a_scheduler_killed_while_sending_digests_and_restarted_sends_each_one_once(
    scratch_url, tmp_path
):
    subscribers = 12
    engine = make_engine(scratch_url)
    migrate.upgrade(engine)
    with Session(engine) as session:
        load_seed(session)
        for n in range(subscribers):
            user = create_user(session, f"subscriber{n}@example.org", role="viewer")
            user.digest_send_empty = True  # a quiet week still gets its digest
        session.commit()
    inbox = SlowInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    handles: list = []
    first = second = None
    try:
        first = _start(scratch_url, tmp_path / "first.log", handles, smtp_port=port)
        deadline = time.monotonic() + 60
        while sum(_delivered(inbox).values()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.15)  # inside the next message's slow recipient step
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        before = sum(_delivered(inbox).values())
        assert 3 <= before < subscribers, before

        second = _start(scratch_url, tmp_path / "second.log", handles, smtp_port=port)
        deadline = time.monotonic() + 60
        while sum(_delivered(inbox).values()) < subscribers and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # and nothing more comes
        delivered = _delivered(inbox)
        assert delivered == {f"subscriber{n}@example.org": 1 for n in range(subscribers)}
        with Session(engine) as session:
            digests = session.scalars(select(Digest)).all()
            assert len(digests) == subscribers and all(d.sent_at for d in digests)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
        for handle in handles:
            handle.close()
        controller.stop()
        engine.dispose()
