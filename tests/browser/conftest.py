"""Browser tests: Debian's Chromium driven by Playwright against a live server on loopback.

Never `playwright install`: the browser is the system's (/usr/bin/chromium). Without it these
tests are skipped, unless TRACKER_REQUIRE_BROWSER=1 (set by .ci/run) makes that a failure.
Screenshots land in test-artifacts/screenshots/ at the top of the project.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from tracker import create_app, migrate
from tracker.db import make_engine
from tracker.services.accounts.users import create_user
from tracker.services.data.seed import load_seed

CHROMIUM = os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("TRACKER_REQUIRE_BROWSER", "") == "1"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
EDITOR = ("researcher@example.org", "a long and careful password")


def _browser_or_skip() -> None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if REQUIRE_BROWSER:
            pytest.fail(f"TRACKER_REQUIRE_BROWSER=1 but there is no browser at {CHROMIUM}")
        pytest.skip(f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    _browser_or_skip()
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The app on 127.0.0.1 (a free port) with its own seeded SQLite database."""
    _browser_or_skip()
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'tracker.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with Session(engine) as session:
        load_seed(session)
        create_user(
            session, EDITOR[0], role="editor", password=EDITOR[1], display_name="Researcher"
        )
    engine.dispose()
    app = create_app(
        {"SECRET_KEY": "browser-tests", "DATABASE_URL": url, "FETCH_ONLY_NETWORKS": "127.0.0.0/8"}
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions["tracker.engine"].dispose()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
