"""Piccolo's configuration module (``PICCOLO_CONF=app.piccolo_conf``).

``DB`` stays ``None`` until :mod:`app.db` binds the engine built from Settings at start-up:
nothing here reads the environment or connects at import.
"""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine

DB: PostgresEngine | None = None

APP_REGISTRY = AppRegistry(apps=["migrations.piccolo_app"])
