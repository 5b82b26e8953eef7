"""The scheduler purges the inbox's set-aside stories once a day, beside its other jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests import factories
from tracker.jobs import scheduler, tasks
from tracker.models import EvidenceArticle, InboxItem
from tracker.services.inbox import items


def test_the_scheduler_runs_the_purge_daily_beside_polling(app):  # type: ignore[no-untyped-def]
    lock = scheduler.Lock(lambda: None, lambda: True)
    built = scheduler.build(app, reminders_every=timedelta(hours=1), lock=lock, check_every=5)
    jobs = {job.id: job for job in built.get_jobs()}
    assert {"reminders", "digests", "feeds", "inbox_purge"} <= set(jobs)
    assert jobs["inbox_purge"].trigger.interval == timedelta(days=1)
    assert jobs["inbox_purge"].func_ref == "tracker.jobs.tasks:inbox_purge"


def test_the_purge_job_removes_old_dismissed_stories_only(app, session):  # type: ignore[no-untyped-def]
    old = items.take(session, factories.article(session, "Heavy snow closed the roads again."))
    kept = items.take(session, factories.article(session, "A new storm is due on Friday night."))
    items.dismiss(session, old.id)
    items.dismiss(session, kept.id)
    old.decided_at = datetime.now(UTC) - timedelta(days=91)
    session.commit()
    old_id, old_article, kept_id = old.id, old.article_id, kept.id
    tasks.bind(app)
    tasks.inbox_purge()
    session.expire_all()
    assert session.get(InboxItem, old_id) is None
    assert session.get(EvidenceArticle, old_article) is None
    assert session.get(InboxItem, kept_id) is not None
