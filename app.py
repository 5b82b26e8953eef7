"""The WSGI entry point: `flask --app app ...` and `gunicorn app:app` find `app` here."""

from tracker import create_app

app = create_app()
