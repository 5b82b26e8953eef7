"""Objects bound to the app with init_app (the smorest Api is tracker.api.base.api)."""

from __future__ import annotations

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Please sign in to see this page."
login_manager.login_message_category = "info"
