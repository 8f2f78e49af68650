"""Settings: one Struct built from the environment once (create_app / the CLI), never at import."""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlsplit

import msgspec

from rpc import SECRET, Masked, Secret

__all__ = ["SecretKey", "Settings", "SettingsError", "dev_secret_keys", "load_settings"]

Environment = Literal["development", "test", "production"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]
PositiveInt = Annotated[int, msgspec.Meta(ge=1)]
ServiceName = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]


class SettingsError(Exception):
    """An environment variable is missing or malformed; the message names it in one line."""


class SecretKey(Masked, msgspec.Struct, frozen=True):
    """One AES-256 key for ESP credentials, identified by ``key_id`` in each ciphertext."""

    key_id: str
    key: Annotated[bytes, SECRET]


class Settings(Masked, msgspec.Struct, frozen=True, kw_only=True):
    """Everything the API, the worker and the CLI read from the environment.

    Field names are the environment variable names (``name=``), so a conversion error's path
    names the variable at fault. The secrets (SECRET_KEYS, CRON_TOKEN, METRICS_TOKEN,
    APP_DB_PASSWORD) are :class:`Secret`: masked in reprs and messages, their values only by
    ``.reveal()``; the passwords in DATABASE_URL and REDIS_URL are masked in the repr.
    """

    env: Environment = msgspec.field(default="production", name="SUBNEST_ENV")
    database_url: str | None = msgspec.field(default=None, name="DATABASE_URL")
    redis_url: str | None = msgspec.field(default=None, name="REDIS_URL")
    redis_pool_size: PositiveInt = msgspec.field(default=100, name="REDIS_POOL_SIZE")
    redis_pool_timeout_seconds: Annotated[float, msgspec.Meta(gt=0)] = msgspec.field(
        default=5.0, name="REDIS_POOL_TIMEOUT_SECONDS"
    )
    host: str = msgspec.field(default="127.0.0.1", name="HOST")
    port: Port = msgspec.field(default=4000, name="PORT")
    data_dir: str = msgspec.field(default=".subnest", name="SUBNEST_DATA_DIR")
    secret_keys_raw: Secret | None = msgspec.field(default=None, name="SECRET_KEYS")
    cron_token: Secret | None = msgspec.field(default=None, name="CRON_TOKEN")
    log_level: LogLevel = msgspec.field(default="INFO", name="LOG_LEVEL")
    log_format: Literal["json", "console"] | None = msgspec.field(default=None, name="LOG_FORMAT")
    otel_exporter_otlp_endpoint: str | None = msgspec.field(
        default=None, name="OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    otel_service_name: ServiceName = msgspec.field(default="subnest", name="OTEL_SERVICE_NAME")
    worker_metrics_port: Annotated[int, msgspec.Meta(ge=0, le=65535)] = msgspec.field(
        default=0, name="WORKER_METRICS_PORT"
    )
    app_db_password: Secret | None = msgspec.field(default=None, name="APP_DB_PASSWORD")
    db_pool_size: PositiveInt = msgspec.field(default=16, name="DB_POOL_SIZE")
    db_acquire_timeout_seconds: Annotated[float, msgspec.Meta(gt=0)] = msgspec.field(
        default=5.0, name="DB_ACQUIRE_TIMEOUT_SECONDS"
    )
    worker_concurrency: PositiveInt = msgspec.field(default=10, name="WORKER_CONCURRENCY")
    shutdown_grace_seconds: PositiveInt = msgspec.field(default=20, name="SHUTDOWN_GRACE_SECONDS")
    feed_tick_seconds: Annotated[float, msgspec.Meta(gt=0)] = msgspec.field(
        default=5.0, name="FEED_TICK_SECONDS"
    )
    worker_sweep_seconds: PositiveInt = msgspec.field(default=60, name="WORKER_SWEEP_SECONDS")
    sync_cron: str = msgspec.field(default="0 0 * * *", name="SYNC_CRON")
    sync_heartbeat_seconds: PositiveInt = msgspec.field(default=60, name="SYNC_HEARTBEAT_SECONDS")
    sync_requeue_after_seconds: PositiveInt = msgspec.field(
        default=60, name="SYNC_REQUEUE_AFTER_SECONDS"
    )
    # A sync that would delete more than this share of a connection's live subscribers waits
    # in needs_review for syncRuns.approve (1.0: never).
    sync_max_delete_share: Annotated[float, msgspec.Meta(gt=0, le=1)] = msgspec.field(
        default=0.2, name="SYNC_MAX_DELETE_SHARE"
    )
    # How long espConnections.restore can bring back a deleted connection and its subscribers.
    connection_restore_hours: PositiveInt = msgspec.field(
        default=72, name="CONNECTION_RESTORE_HOURS"
    )
    session_ttl_days: PositiveInt = msgspec.field(default=30, name="SESSION_TTL_DAYS")
    request_log_retention_days: PositiveInt = msgspec.field(
        default=30, name="REQUEST_LOG_RETENTION_DAYS"
    )
    history_retention_days: PositiveInt = msgspec.field(default=30, name="HISTORY_RETENTION_DAYS")
    export_retention_hours: PositiveInt = msgspec.field(default=24, name="EXPORT_RETENTION_HOURS")
    export_link_ttl_seconds: PositiveInt = msgspec.field(
        default=3600, name="EXPORT_LINK_TTL_SECONDS"
    )
    team_deletion_grace_hours: PositiveInt = msgspec.field(
        default=72, name="TEAM_DELETION_GRACE_HOURS"
    )
    tombstone_retention_days: PositiveInt = msgspec.field(
        default=90, name="TOMBSTONE_RETENTION_DAYS"
    )
    webhook_allow_private_urls: bool = msgspec.field(
        default=False, name="WEBHOOK_ALLOW_PRIVATE_URLS"
    )
    webhook_retry_base_seconds: Annotated[float, msgspec.Meta(gt=0)] = msgspec.field(
        default=20.0, name="WEBHOOK_RETRY_BASE_SECONDS"
    )
    webhook_max_attempts: PositiveInt = msgspec.field(default=13, name="WEBHOOK_MAX_ATTEMPTS")
    webhook_disable_after: PositiveInt = msgspec.field(default=25, name="WEBHOOK_DISABLE_AFTER")
    max_body_bytes: PositiveInt = msgspec.field(default=1_048_576, name="MAX_BODY_BYTES")
    # Limits and quotas (docs/operations.md, "Limits and quotas"), one block per area.
    # -- limits: endpoints and metrics --
    # Bearer token a scraper sends for /metrics (API and worker). Unset: the API serves no
    # /metrics at all, and the worker's WORKER_METRICS_PORT (opt-in) answers without one.
    metrics_token: Secret | None = msgspec.field(default=None, name="METRICS_TOKEN")
    # Live streams (/realtime/stream) open at once per API process, and of one team.
    stream_concurrency: PositiveInt = msgspec.field(default=2000, name="STREAM_CONCURRENCY")
    stream_concurrency_per_team: PositiveInt = msgspec.field(
        default=100, name="STREAM_CONCURRENCY_PER_TEAM"
    )
    # ... and on one API key (a leaked key cannot take the team's every stream).
    stream_concurrency_per_key: PositiveInt = msgspec.field(
        default=20, name="STREAM_CONCURRENCY_PER_KEY"
    )
    # How often a live stream's credentials are read again (a backstop behind the access
    # notices that end streams at once: a notice lost while Redis was away).
    stream_reauth_seconds: Annotated[float, msgspec.Meta(gt=0)] = msgspec.field(
        default=60.0, name="STREAM_REAUTH_SECONDS"
    )
    # -- limits: webhooks --
    webhook_max_endpoints_per_team: PositiveInt = msgspec.field(
        default=16, name="WEBHOOK_MAX_ENDPOINTS_PER_TEAM"
    )
    webhook_url_check_timeout_seconds: Annotated[float, msgspec.Meta(gt=0)] = msgspec.field(
        default=5.0, name="WEBHOOK_URL_CHECK_TIMEOUT_SECONDS"
    )
    webhook_url_check_concurrency: PositiveInt = msgspec.field(
        default=8, name="WEBHOOK_URL_CHECK_CONCURRENCY"
    )
    webhook_delivery_deadline_seconds: Annotated[float, msgspec.Meta(gt=0)] = msgspec.field(
        default=15.0, name="WEBHOOK_DELIVERY_DEADLINE_SECONDS"
    )
    webhook_response_max_bytes: PositiveInt = msgspec.field(
        default=4096, name="WEBHOOK_RESPONSE_MAX_BYTES"
    )
    # Jobs of the worker's own delivery queue, beside WORKER_CONCURRENCY (same process, same
    # DB pool): a worker runs up to WORKER_CONCURRENCY + WEBHOOK_DELIVERY_CONCURRENCY jobs.
    webhook_delivery_concurrency: PositiveInt = msgspec.field(
        default=4, name="WEBHOOK_DELIVERY_CONCURRENCY"
    )
    # -- limits: pools, downloads, exports and team quotas --
    db_side_pool_size: PositiveInt = msgspec.field(default=2, name="DB_SIDE_POOL_SIZE")
    export_heartbeat_seconds: PositiveInt = msgspec.field(
        default=30, name="EXPORT_HEARTBEAT_SECONDS"
    )
    download_concurrency: PositiveInt = msgspec.field(default=4, name="DOWNLOAD_CONCURRENCY")
    download_concurrency_per_team: PositiveInt = msgspec.field(
        default=2, name="DOWNLOAD_CONCURRENCY_PER_TEAM"
    )
    download_statement_timeout_seconds: PositiveInt = msgspec.field(
        default=900, name="DOWNLOAD_STATEMENT_TIMEOUT_SECONDS"
    )
    download_send_timeout_seconds: Annotated[float, msgspec.Meta(gt=0)] = msgspec.field(
        default=30.0, name="DOWNLOAD_SEND_TIMEOUT_SECONDS"
    )
    team_max_concurrent_syncs: PositiveInt = msgspec.field(
        default=5, name="TEAM_MAX_CONCURRENT_SYNCS"
    )
    team_max_concurrent_exports: PositiveInt = msgspec.field(
        default=3, name="TEAM_MAX_CONCURRENT_EXPORTS"
    )
    team_max_export_bytes: PositiveInt = msgspec.field(
        default=5 * 1024**3, name="TEAM_MAX_EXPORT_BYTES"
    )
    # -- limits: inputs, allowlists and hashing --
    api_key_allowlist_max: PositiveInt = msgspec.field(default=100, name="API_KEY_ALLOWLIST_MAX")
    hash_threads: PositiveInt = msgspec.field(default=1, name="HASH_THREADS")
    hash_queue: Annotated[int, msgspec.Meta(ge=0)] = msgspec.field(default=16, name="HASH_QUEUE")
    hash_attempts_per_address: PositiveInt = msgspec.field(
        default=30, name="HASH_ATTEMPTS_PER_ADDRESS"
    )
    hash_attempts_per_key_prefix: PositiveInt = msgspec.field(
        default=10, name="HASH_ATTEMPTS_PER_KEY_PREFIX"
    )
    json_fields_max_bytes: PositiveInt = msgspec.field(default=8192, name="JSON_FIELDS_MAX_BYTES")
    json_fields_max_keys: PositiveInt = msgspec.field(default=100, name="JSON_FIELDS_MAX_KEYS")
    json_fields_max_depth: PositiveInt = msgspec.field(default=5, name="JSON_FIELDS_MAX_DEPTH")
    # -- mail (docs/operations.md "Mail"): SMTP, where links point, the outbox's retries --
    # Unset SMTP_HOST: `subnest dev` runs a local sink and points the worker at it; elsewhere
    # mails stay pending in the outbox (and are logged once per tick as unsendable).
    smtp_host: str | None = msgspec.field(default=None, name="SMTP_HOST")
    smtp_port: Port = msgspec.field(default=587, name="SMTP_PORT")
    smtp_tls: Literal["none", "starttls", "tls"] = msgspec.field(
        default="starttls", name="SMTP_TLS"
    )
    smtp_username: str | None = msgspec.field(default=None, name="SMTP_USERNAME")
    smtp_password: Secret | None = msgspec.field(default=None, name="SMTP_PASSWORD")
    smtp_timeout_seconds: Annotated[float, msgspec.Meta(gt=0)] = msgspec.field(
        default=15.0, name="SMTP_TIMEOUT_SECONDS"
    )
    mail_from: str = msgspec.field(default="SubscriberNest <no-reply@localhost>", name="MAIL_FROM")
    # The address people open links at (the dashboard); unset: http://HOST:PORT.
    public_url: str | None = msgspec.field(default=None, name="PUBLIC_URL")
    mail_max_attempts: PositiveInt = msgspec.field(default=12, name="MAIL_MAX_ATTEMPTS")
    mail_retry_base_seconds: PositiveInt = msgspec.field(default=30, name="MAIL_RETRY_BASE_SECONDS")
    mail_batch: PositiveInt = msgspec.field(default=50, name="MAIL_BATCH")
    email_verification_ttl_hours: PositiveInt = msgspec.field(
        default=48, name="EMAIL_VERIFICATION_TTL_HOURS"
    )
    password_reset_ttl_minutes: PositiveInt = msgspec.field(
        default=30, name="PASSWORD_RESET_TTL_MINUTES"
    )
    invitation_ttl_days: PositiveInt = msgspec.field(default=7, name="INVITATION_TTL_DAYS")
    # -- limits: mail --
    # Verification and reset mails one account (address) may ask for per hour.
    mail_requests_per_hour: PositiveInt = msgspec.field(default=5, name="MAIL_REQUESTS_PER_HOUR")
    # Open invitations a team may hold at once.
    team_max_open_invitations: PositiveInt = msgspec.field(
        default=100, name="TEAM_MAX_OPEN_INVITATIONS"
    )
    # -- sessions and sign-in (decision 0024) --
    session_fresh_minutes: PositiveInt = msgspec.field(default=10, name="SESSION_FRESH_MINUTES")
    sign_in_failures_per_account: PositiveInt = msgspec.field(
        default=10, name="SIGN_IN_FAILURES_PER_ACCOUNT"
    )
    sign_in_failure_window_seconds: PositiveInt = msgspec.field(
        default=900, name="SIGN_IN_FAILURE_WINDOW_SECONDS"
    )
    # Whose X-Forwarded-For / X-Forwarded-Proto the API believes (uvicorn's list: addresses,
    # CIDR ranges or "*"); docs/operations.md "Behind a load balancer".
    forwarded_allow_ips: Annotated[str, msgspec.Meta(min_length=1)] = msgspec.field(
        default="127.0.0.1,::1", name="FORWARDED_ALLOW_IPS"
    )
    esp_mailchimp_base_url: str = msgspec.field(
        default="https://{dc}.api.mailchimp.com/3.0", name="ESP_MAILCHIMP_BASE_URL"
    )
    esp_kit_base_url: str = msgspec.field(default="https://api.kit.com/v4", name="ESP_KIT_BASE_URL")
    esp_beehiiv_base_url: str = msgspec.field(
        default="https://api.beehiiv.com/v2", name="ESP_BEEHIIV_BASE_URL"
    )
    esp_mailerlite_base_url: str = msgspec.field(
        default="https://connect.mailerlite.com/api", name="ESP_MAILERLITE_BASE_URL"
    )
    esp_brevo_base_url: str = msgspec.field(
        default="https://api.brevo.com/v3", name="ESP_BREVO_BASE_URL"
    )
    # Our seconds per provider second in the connectors' rate-limit policy (decision 0033):
    # 1 against the real providers; tests run fakes whose windows shrink by the same factor.
    esp_rate_limit_scale: Annotated[float, msgspec.Meta(gt=0, le=1)] = msgspec.field(
        default=1.0, name="ESP_RATE_LIMIT_SCALE"
    )

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).resolve()

    @property
    def link_base(self) -> str:
        """Where links in mails point: PUBLIC_URL, or this API's own address."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def tracing(self) -> bool:
        """Spans are exported (``OTEL_EXPORTER_OTLP_ENDPOINT`` is set): see app.tracing."""
        return self.otel_exporter_otlp_endpoint is not None

    @property
    def is_dev(self) -> bool:
        return self.env != "production"

    @property
    def log_style(self) -> Literal["json", "console"]:
        """LOG_FORMAT, or JSON in production and readable lines in development."""
        return self.log_format or ("console" if self.env == "development" else "json")

    @property
    def secret_keys(self) -> tuple[SecretKey, ...]:
        """The parsed ``SECRET_KEYS`` (validated in :func:`load_settings`), newest first."""
        raw = self.secret_keys_raw
        return _parse_secret_keys(raw.reveal()) if raw else ()

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret value of the settings (each :class:`Secret` field, the keys of
        SECRET_KEYS, the URLs' passwords), in the forms a log line could show them: for
        app.redaction to blank out. A new secret setting is typed ``Secret | None``."""
        found: list[str] = []
        for name in self.__struct_fields__:  # every Secret field, those added later too
            secret = getattr(self, name)
            if isinstance(secret, Secret) and secret:
                found.append(secret.reveal())
        for key in self.secret_keys:
            encoded = base64.urlsafe_b64encode(key.key).decode()
            found += [encoded, encoded.rstrip("="), repr(key.key)[2:-1]]
        for url in (self.database_url, self.redis_url):
            password = urlsplit(url).password if url else None
            if password:
                found += [password, unquote(password)]
        return tuple(found)


_ENV_NAMES = frozenset(f.encode_name for f in msgspec.structs.fields(Settings))
_URL_SCHEMES = {
    "DATABASE_URL": ("postgres://", "postgresql://"),
    "REDIS_URL": ("redis://", "rediss://", "unix://"),
    "OTEL_EXPORTER_OTLP_ENDPOINT": ("http://", "https://"),
    "PUBLIC_URL": ("http://", "https://"),
}


def load_settings(
    environ: Mapping[str, str], *, require_secret_keys: bool = True, **overrides: str
) -> Settings:
    """Build Settings from an environment mapping; raise SettingsError naming the bad variable.

    Empty values count as unset. ``overrides`` (by variable name) win over ``environ``.
    ``SECRET_KEYS`` is required in production unless ``require_secret_keys`` is false (commands
    that never touch credentials, such as ``migrate``).
    """
    raw = {k: v for k, v in {**environ, **overrides}.items() if k in _ENV_NAMES and v != ""}
    try:
        settings = msgspec.convert(raw, Settings, strict=False, dec_hook=_secret)
    except msgspec.ValidationError as exc:
        raise SettingsError(_name_variable(str(exc))) from None
    for name, schemes in _URL_SCHEMES.items():
        value = raw.get(name)
        if value is not None and not value.startswith(schemes):
            # Names the variable, never quotes its value: a URL may carry a password.
            raise SettingsError(f"{name}: must start with one of {', '.join(schemes)}")
    if not _valid_cron(settings.sync_cron):
        raise SettingsError(f"SYNC_CRON: {settings.sync_cron!r} is not a cron expression")
    if settings.secret_keys_raw is not None:
        try:
            _parse_secret_keys(settings.secret_keys_raw.reveal())
        except ValueError as exc:
            raise SettingsError(f"SECRET_KEYS: {exc}") from None
    elif require_secret_keys and not settings.is_dev:
        raise SettingsError(
            "SECRET_KEYS: required when SUBNEST_ENV=production "
            "(comma-separated '<key id>:<base64 of 32 bytes>', newest first)"
        )
    return settings


def _secret(kind: type, value: Any) -> Any:
    """msgspec's ``dec_hook``: a Secret field from its environment string."""
    if kind is Secret and isinstance(value, str):
        return Secret(value)
    raise NotImplementedError


def _valid_cron(expression: str) -> bool:
    from croniter import croniter

    return bool(croniter.is_valid(expression))


def _name_variable(message: str) -> str:
    """``Expected int, got str - at `$.PORT``` becomes ``PORT: Expected int, got str``."""
    text, sep, path = message.rpartition(" - at `$.")
    if not sep:
        return message
    return f"{path.rstrip('`')}: {text}"


def _parse_secret_keys(raw: str) -> tuple[SecretKey, ...]:
    keys: list[SecretKey] = []
    for item in (part.strip() for part in raw.split(",")):
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id or not encoded:
            raise ValueError("each key must be '<key id>:<base64 of 32 bytes>'")
        try:
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            raise ValueError(f"key {key_id!r} is not valid base64") from None
        if len(key) != 32:
            raise ValueError(f"key {key_id!r} must decode to 32 bytes, got {len(key)}")
        if any(k.key_id == key_id for k in keys):
            raise ValueError(f"key id {key_id!r} appears twice")
        keys.append(SecretKey(key_id=key_id, key=key))
    return tuple(keys)


def dev_secret_keys(data_dir: Path) -> str:
    """The development SECRET_KEYS, generated once and kept in the data directory."""
    path = data_dir / "dev-secret-keys"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        path.write_text(f"dev1:{key}\n")
        path.chmod(0o600)
    return path.read_text().strip()
