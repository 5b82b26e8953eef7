"""APScheduler 3 (BlockingScheduler) with its job store in the application database.

One scheduler runs at a time. On PostgreSQL it holds a session advisory lock on a connection
of its own; a second scheduler waits idle and takes over when the first dies (its connection
closes and the lock with it). If the lock's connection is lost while running, the scheduler
stops (a supervisor restarts it and it queues for the lock again). On SQLite, where there is
one machine, a lock file in the instance folder plays the same part.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from tracker.db import utcnow
from tracker.jobs import tasks

log = logging.getLogger("tracker.scheduler")
LOCK_KEY = 0x7472_6163_6B65_72  # "tracker", for pg_try_advisory_lock
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": 3600, "max_instances": 1}


class Lock:
    """Held by the scheduler that may run jobs; `alive()` says whether it still is."""

    def __init__(self, release: Callable[[], None], alive: Callable[[], bool]) -> None:
        self.release = release
        self.alive = alive


def _try_postgres(engine: Engine) -> Lock | None:
    connection: Connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    if connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar():

        def alive() -> bool:
            try:
                connection.execute(text("SELECT 1"))
                return True
            except Exception:  # the connection, and so the lock, is gone
                return False

        return Lock(connection.close, alive)
    connection.close()
    return None


def _try_file(path: Path) -> Lock | None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return Lock(handle.close, lambda: True)


def _lock_file(app: Flask, engine: Engine) -> Path:
    """Beside the SQLite database file: the lock is about that database."""
    database = engine.url.database
    if database and database != ":memory:":
        return Path(database).with_name(Path(database).name + ".scheduler.lock")
    return Path(app.instance_path) / "scheduler.lock"


def acquire(app: Flask, *, poll: float, sleep: Callable[[float], None] = time.sleep) -> Lock:
    """Wait (idle) until this process may schedule; log once that it waits."""
    engine: Engine = app.extensions["tracker.engine"]
    waiting = False
    while True:
        if engine.dialect.name == "postgresql":
            lock = _try_postgres(engine)
        else:
            lock = _try_file(_lock_file(app, engine))
        if lock is not None:
            log.info("scheduler: holding the lock, running jobs")
            return lock
        if not waiting:
            log.info("scheduler: another scheduler holds the lock; waiting idle")
            waiting = True
        sleep(poll)


def build(
    app: Flask,
    *,
    reminders_every: timedelta,
    lock: Lock,
    check_every: float,
    digests_every: timedelta = timedelta(hours=1),
    feeds_every: timedelta = timedelta(minutes=5),
) -> BlockingScheduler:
    """The scheduler with its jobs registered by reference under stable ids."""
    tasks.bind(app)
    scheduler = BlockingScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=app.extensions["tracker.engine"])},
        job_defaults=JOB_DEFAULTS,
        timezone="UTC",
    )
    # Digests hourly: each subscriber's week ends at their own Monday 00:00, in their time
    # zone, and a digest missed while the scheduler was down goes out once when it is back.
    for ident, every, name in (
        ("reminders", reminders_every, "reminder rules and due emails"),
        ("digests", digests_every, "weekly digests"),
        ("feeds", feeds_every, "news feeds polled"),
        ("inbox_purge", timedelta(days=1), "set-aside inbox stories purged"),
    ):
        scheduler.add_job(
            f"tracker.jobs.tasks:{ident}",
            "interval",
            seconds=every.total_seconds(),
            id=ident,
            name=name,
            replace_existing=True,
            next_run_time=utcnow(),
        )

    def report(event: JobExecutionEvent) -> None:
        if event.exception is not None:
            log.error("job %s failed: %r (the scheduler goes on)", event.job_id, event.exception)
        else:
            log.info("job %s ran", event.job_id)

    scheduler.add_listener(report, EVENT_JOB_ERROR | EVENT_JOB_EXECUTED)

    def watch_lock() -> None:
        if not lock.alive():
            log.error("scheduler: the lock was lost; stopping so that no two schedulers run")
            scheduler.shutdown(wait=False)

    # In memory, not in the job store: it belongs to this process and this lock only.
    scheduler.add_jobstore("memory", alias="local")
    scheduler.add_job(
        watch_lock, "interval", seconds=check_every, id="lock-watch", jobstore="local"
    )
    return scheduler


def serve(app: Flask, *, reminders_every: timedelta, poll: float) -> None:
    """Wait for the lock, then run the scheduler until stopped."""
    lock = acquire(app, poll=poll)
    try:
        build(
            app,
            reminders_every=reminders_every,
            lock=lock,
            check_every=max(poll, 1.0),
            feeds_every=timedelta(minutes=app.config.get("FEEDS_EVERY", 5)),
        ).start()
    finally:
        lock.release()
