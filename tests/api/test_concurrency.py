"""Two editors change the same agreement at the same moment, in two threads on a database of
their own (no shared test transaction): one change wins, the other gets 412 and loses
nothing, since it can fetch and redo it. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import time

from sqlalchemy.orm import Session

from tracker import create_app, migrate
from tracker.db import make_engine
from tracker.services.accounts.users import create_token, create_user
from tracker.services.agreements.commands import create_agreement
from tracker.services.data.seed import load_seed

ROUNDS = 8


def _database(url: str, editors: int, title: str) -> tuple[list, list[str], int]:
    """A migrated, seeded database with `editors` editors and one agreement:
    (the editors, detached; a token for each; the agreement's id)."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        load_seed(session)
        users = [
            create_user(session, f"editor{n}@example.org", role="editor") for n in range(editors)
        ]
        tokens = [create_token(session, user)[1] for user in users]
        agreement_id = create_agreement(
            session, {"title": title, "kind": "treaty", "parties": ["RUS", "IRN"]}
        ).id
    engine.dispose()
    return users, tokens, agreement_id


def test_two_editors_saving_at_once_one_wins_and_the_other_gets_412(scratch_url):
    _users, tokens, agreement_id = _database(scratch_url, 2, "Contested treaty")
    app = create_app({"SECRET_KEY": "test-secret", "DATABASE_URL": scratch_url})
    path = f"/api/v1/agreements/{agreement_id}"
    headers = [{"Authorization": f"Bearer {t}"} for t in tokens]
    reader = app.test_client()

    for round_ in range(ROUNDS):
        etag = reader.get(path, headers=headers[0]).headers["ETag"]
        start = threading.Barrier(2)
        answers: list = [None, None]

        def save(
            n: int, etag: str = etag, round_: int = round_, start=start, answers=answers
        ) -> None:  # type: ignore[no-untyped-def]
            client = app.test_client()
            start.wait()
            answers[n] = client.patch(
                path,
                json={"summary": f"round {round_} by editor {n}"},
                headers=headers[n] | {"If-Match": etag},
            )

        threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 412], [a.get_json() for a in answers]
        winner = next(a for a in answers if a.status_code == 200).get_json()
        loser = next(a for a in answers if a.status_code == 412).get_json()
        assert "meanwhile" in loser["message"] or "changed" in loser["message"]
        stored = reader.get(path, headers=headers[0]).get_json()
        assert stored["summary"] == winner["summary"]  # the winner's change, whole

    history = reader.get(f"{path}/history?page_size=100", headers=headers[0]).get_json()
    assert [e["action"] for e in history].count("update") == ROUNDS  # one per round
    app.extensions["tracker.engine"].dispose()


def test_two_editors_saving_the_edit_form_at_once_one_wins_the_other_keeps_their_text(
    scratch_url,
):
    import re

    from flask_login import FlaskLoginClient

    from tracker.web.auth import WebUser

    editors, _tokens, agreement_id = _database(scratch_url, 2, "Contested form")
    app = create_app({"SECRET_KEY": "test-secret", "DATABASE_URL": scratch_url})
    app.test_client_class = FlaskLoginClient
    clients = [app.test_client(user=WebUser(e)) for e in editors]
    path = f"/agreements/{agreement_id}/edit"

    for round_ in range(4):
        forms = []
        for client in clients:  # both open the form on the same version
            html = client.get(path).get_data(as_text=True)
            forms.append(
                {
                    "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1],
                    "version": re.search(r'name="version"[^>]*value="([^"]+)"', html)[1],
                    "kind": "treaty",
                    "parties": "RUS, IRN",
                }
            )
        start = threading.Barrier(2)
        answers: list = [None, None]

        def save(n: int, forms=forms, start=start, answers=answers, round_=round_) -> None:  # type: ignore[no-untyped-def]
            start.wait()
            answers[n] = clients[n].post(path, data=forms[n] | {"title": f"R{round_} by {n}"})

        threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        codes = sorted(a.status_code for a in answers)
        assert codes == [302, 422], codes
        loser = next(n for n in range(2) if answers[n].status_code == 422)
        page = answers[loser].get_data(as_text=True)
        assert "changed this agreement while you were editing" in page
        assert f'value="R{round_} by {loser}"' in page  # what they typed is still there
        shown = clients[0].get(f"/agreements/{agreement_id}").get_data(as_text=True)
        assert f"R{round_} by {1 - loser}" in shown
    app.extensions["tracker.engine"].dispose()


def test_a_slow_page_being_fetched_holds_no_database_lock(scratch_url):
    """While one editor's URL is being fetched, another editor's save goes through (SQLite
    would otherwise keep the second waiting for the lock, then refuse it)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    release = threading.Event()

    class SlowPage(BaseHTTPRequestHandler):
        def log_message(self, *args):  # type: ignore[no-untyped-def]
            pass

        def do_GET(self):  # type: ignore[no-untyped-def]  # noqa: N802
            release.wait(timeout=20)  # answers only once the other save is done
            body = b"<html><body><article><h1>Slow</h1><p>" + b"Treaty text. " * 40
            body += b"</p></article></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _users, tokens, _agreement_id = _database(scratch_url, 2, "Any treaty")
    app = create_app(
        {
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": scratch_url,
            "FETCH_ONLY_NETWORKS": "127.0.0.0/8",
            "FETCH_TIMEOUT": 25,
        }
    )
    fetching: list = []

    def add_by_url() -> None:
        fetching.append(
            app.test_client().post(
                "/api/v1/articles",
                json={"url": f"http://127.0.0.1:{server.server_address[1]}/slow"},
                headers={"Authorization": f"Bearer {tokens[0]}"},
            )
        )

    try:
        thread = threading.Thread(target=add_by_url)
        thread.start()
        time.sleep(0.5)  # the fetch is under way, waiting for the page
        saved = app.test_client().post(
            "/api/v1/agreements",
            json={"title": "Saved during a fetch", "kind": "treaty"},
            headers={"Authorization": f"Bearer {tokens[1]}"},
        )
        assert saved.status_code == 201, saved.get_json()
        assert thread.is_alive()  # the page had not answered yet
    finally:
        release.set()
        thread.join(timeout=30)
        server.shutdown()
        server.server_close()
        app.extensions["tracker.engine"].dispose()
    assert fetching[0].status_code == 201, fetching[0].get_json()
