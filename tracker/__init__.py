"""Treaty Tracker: a system of record for intergovernmental agreements.

The application's parts are imported by `create_app`, not here: a process that needs only
the domain (an import's preparing process, a script) imports `tracker.services…` without
the web pages and the API, two thirds of the time it took to start one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from tracker.config import load_config


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. `config` (tests) overrides what the environment says.

    With a SECRET_KEY in `config`, TRACKER_* variables of the environment are ignored,
    so a test never picks up the developer's settings. The factory never migrates,
    schedules or touches the network: those are explicit commands.
    """
    app = Flask(__name__)
    register_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_config(app: Flask, config: Mapping[str, Any] | None) -> None:
    isolated = config is not None and "SECRET_KEY" in config
    environ = {"TRACKER_SECRET_KEY": config["SECRET_KEY"]} if isolated else None
    app.config.update(load_config(Path(app.instance_path), environ))
    app.config.update(config or {})


def register_extensions(app: Flask) -> None:
    from tracker import db, logs, security
    from tracker.extensions import csrf, login_manager
    from tracker.web.common import register_filters

    logs.init_app(app)
    security.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    register_filters(app)


def register_blueprints(app: Flask) -> None:
    from tracker import api as api_resources
    from tracker import health
    from tracker.web import (
        account,
        articles,
        auth,
        dashboard,
        digests,
        downloads,
        evidence,
        feeds,
        inbox,
        news_feeds,
        reminders,
        search,
    )
    from tracker.web import agreements as agreement_pages
    from tracker.web import declarations as declaration_pages
    from tracker.web import relations as relation_pages

    for module in (
        health,
        auth,
        dashboard,
        agreement_pages,
        declaration_pages,
        relation_pages,
        evidence,
        articles,
        reminders,
        search,
        digests,
        account,
        feeds,
        news_feeds,
        downloads,
        inbox,
    ):
        app.register_blueprint(module.blp)
    api_resources.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from tracker import errors

    errors.register(app)


def register_commands(app: Flask) -> None:
    from tracker.cli import tracker as tracker_commands

    app.cli.add_command(tracker_commands)
