"""Settings come from the environment; a bad value stops the start with one line naming it."""

from __future__ import annotations

import subprocess

import pytest

from app.config import Settings, SettingsError, load_settings
from tests.support import TEST_SECRET_KEYS, subnest


def test_defaults_in_development() -> None:
    settings = load_settings({"SUBNEST_ENV": "development"})
    assert settings.port == 4000
    assert settings.database_url is None
    assert settings.redis_url is None
    assert settings.data_dir == ".subnest"
    assert settings.cron_token is None
    assert settings.secret_keys == ()


def test_values_are_converted_and_keys_parsed() -> None:
    settings = load_settings(
        {
            "PORT": "8080",
            "DATABASE_URL": "postgresql://u@localhost/db",
            "REDIS_URL": "unix:///tmp/r.sock",
            "SECRET_KEYS": f"{TEST_SECRET_KEYS},old:{'A' * 43}",
            "LOG_LEVEL": "DEBUG",
            "UNRELATED": "ignored",
        }
    )
    assert settings.port == 8080
    assert settings.log_level == "DEBUG"
    assert [k.key_id for k in settings.secret_keys] == ["test1", "old"]
    assert all(len(k.key) == 32 for k in settings.secret_keys)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORT": "abc"}, "PORT: Expected `int`, got `str`"),
        ({"PORT": "70000"}, "PORT: Expected `int` <= 65535"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL: Invalid enum value 'loud'"),
        ({"SUBNEST_ENV": "staging"}, "SUBNEST_ENV: Invalid enum value 'staging'"),
        ({"DB_POOL_SIZE": "0"}, "DB_POOL_SIZE: Expected `int` >= 1"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL: must start with one of"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL: must start with one of"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "localhost:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT: must"),
        ({"OTEL_SERVICE_NAME": "news letter"}, "OTEL_SERVICE_NAME: Expected `str` matching"),
        ({"SECRET_KEYS": "nocolon"}, "SECRET_KEYS: each key must be"),
        ({"SECRET_KEYS": "k1:c2hvcnQ"}, "SECRET_KEYS: key 'k1' must decode to 32 bytes, got 5"),
        ({"SECRET_KEYS": f"{TEST_SECRET_KEYS},{TEST_SECRET_KEYS}"}, "appears twice"),
    ],
)
def test_invalid_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"SUBNEST_ENV": "development", **env})
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_production_requires_secret_keys() -> None:
    with pytest.raises(SettingsError, match=r"^SECRET_KEYS: required"):
        load_settings({})
    assert isinstance(load_settings({}, require_secret_keys=False), Settings)
    assert load_settings({"SECRET_KEYS": TEST_SECRET_KEYS}).env == "production"


def test_empty_values_count_as_unset() -> None:
    assert load_settings({"SUBNEST_ENV": "test", "PORT": ""}).port == 4000


def test_cli_reports_a_bad_setting_in_one_line() -> None:
    result = subprocess.run(
        subnest("serve"),
        env={"PORT": "not-a-port", "SUBNEST_ENV": "test", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["subnest: PORT: Expected `int`, got `str`"], (
        result.stderr
    )
