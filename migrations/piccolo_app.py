"""The Piccolo app whose migrations create SubscriberNest's schema."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from migrations._sql import APP_NAME
from tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name=APP_NAME,
    migrations_folder_path=str(Path(__file__).parent),
    table_classes=list(ALL_TABLES),
    migration_dependencies=[],
    commands=[],
)
