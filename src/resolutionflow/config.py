"""Settings read from the environment (prefix RESOLUTIONFLOW_) or a .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_database_url() -> str:
    return f"sqlite+aiosqlite:///{Path.cwd() / 'resolutionflow.db'}"


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste and pick the async driver for them."""
    url = url.strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url[len("postgresql://") :]
    if url.startswith("postgresql+psycopg2://") or url.startswith("postgresql+psycopg://"):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RESOLUTIONFLOW_", env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=_default_database_url)
    database_echo: bool = False
    database_pool_size: int = 10
    # Server processes remember which user and account an API token belongs to between reads,
    # forgetting at once when PostgreSQL notifies a change (LISTEN/NOTIFY). Turn it off behind
    # a pooler that does not pass notifications on (PgBouncer in transaction mode).
    token_cache: bool = True

    # Secret for signing session cookies and CSRF tokens. Generated per process when unset,
    # which signs everyone out on restart: set it in production.
    secret_key: str = ""

    # AI providers
    ai_provider: str = "offline"  # offline | openai | anthropic
    ai_model: str = ""
    ai_models: dict[str, str] = Field(default_factory=dict)  # per action: {"new_flow": "..."}
    openai_base_url: str = "https://api.openai.com/v1"
    openai_api_key: str = ""
    anthropic_base_url: str = "https://api.anthropic.com"
    anthropic_api_key: str = ""
    ai_timeout_seconds: float = 60.0
    ai_max_retries: int = 3
    ai_concurrency: int = 8

    # Flywheel
    daily_proposal_budget: int = 50
    worker_interval_seconds: int = 300
    worker_batch_size: int = Field(default=100, ge=1)
    worker_lease_seconds: int = 600
    worker_max_attempts: int = 5
    worker_retry_base_seconds: float = 30.0

    # Rate limits
    rate_limit_reads: str = "30/minute"
    rate_limit_reviews: str = "10/minute"
    rate_limit_enabled: bool = True
    redis_url: str = ""

    gaps_cache_seconds: int = 3600

    # Security
    # What is replaced by placeholders before text leaves for a model or is stored from one:
    # standard (secrets, cards, e-mail, phones), strict (also names, IP addresses), off.
    redaction: str = "standard"
    # Failed sign-ins allowed per e-mail and per client address before 429 (limits syntax).
    login_limit_per_email: str = "10/15 minutes"
    login_limit_per_address: str = "30/15 minutes"
    # Session cookies marked Secure: unset = when the request came over https (and always
    # when `serve` listens beyond loopback); true/false force it.
    cookie_secure: bool | None = None
    # Request bodies above these sizes are answered 413; imports stream up to the larger one.
    max_body_bytes: int = 2 * 1024 * 1024
    max_import_bytes: int = 100 * 1024 * 1024
    # Development only: allow an http:// webhook to a loopback address (a local receiver).
    webhook_allow_http_loopback: bool = False
    # A flow is due for review this many days after it was last verified (or published).
    flow_review_days: int = Field(default=180, ge=1, le=3650)

    # Models (appended for local and small models)
    # The model's context size in tokens (estimated as one per three characters): prompts
    # are trimmed by rule to fit it, leaving room for the answer. 0 = no limit.
    ai_context_tokens: int = 8192
    # When the model's answer is still invalid after the repair request, or the model stays
    # unavailable for all of a session's attempts, propose the offline draft instead (marked
    # as such, with the model's error). False = the session ends `failed`, as before.
    ai_offline_fallback: bool = True
    # Retries inside one model call made by the worker. 0 = none: a failed call returns the
    # session to the queue with a not-before time, so backoff never holds a worker slot.
    # (`ai_timeout_seconds` bounds each call; raise it for slow local models.)
    ai_worker_call_retries: int = 0

    @field_validator("database_url")
    @classmethod
    def _normalise(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("redaction")
    @classmethod
    def _redaction_level(cls, value: str) -> str:
        from resolutionflow.redaction import check_level

        return check_level(value)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget cached settings (tests and the demo switch databases)."""
    get_settings.cache_clear()
