"""All configuration in one place, read from the environment (or a .env file)."""

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.status import Thresholds

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Settings of the app; every field can be set as an environment variable."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{ROOT / 'data' / 'dashboard.db'}"
    language: Literal["nb", "en"] = "nb"
    # How long a write waits for another before it is refused as busy (dashboard.db): SQLite's
    # busy timeout, and PostgreSQL's lock_timeout. SQLITE_BUSY_TIMEOUT_MS, its first name, is
    # still read.
    database_busy_timeout_ms: int = Field(
        default=5000,
        gt=0,
        validation_alias=AliasChoices("database_busy_timeout_ms", "sqlite_busy_timeout_ms"),
    )
    # Freeze what each page's first run made (modules, caches) out of every later garbage
    # collection (dashboard/memory.py); off only to measure the difference.
    gc_freeze: bool = True
    # The largest share of the time the full collections after page runs may take
    # (dashboard/memory.py); 0 turns them off (to measure Streamlit's collection after every
    # run instead, STREAMLIT_RUNNER_POST_SCRIPT_GC=true).
    gc_share: float = Field(default=0.1, ge=0, le=1)
    # How long a PostgreSQL connection attempt may take before a page (or /healthz) says the
    # database cannot be reached; a connect_timeout in DATABASE_URL takes precedence.
    database_connect_timeout_s: int = Field(default=5, gt=0)
    mission_key: str = "inkludering-barn-unge"
    # Where the accessibility statement (Tilgjengelighet) tells people to report a problem: an
    # e-mail address or a web address; without it the statement names the secretariat.
    accessibility_contact: str | None = None
    # Whether visitors who have not signed in may read what partners read (approved data only).
    public_read: bool = True
    # After an OpenID Connect sign-in with an e-mail that has no account here: partner rights
    # ("partner") or no access at all ("none").
    oidc_unknown_users: Literal["partner", "none"] = "none"
    # The provider's name when Streamlit's secrets configure several ([auth.<name>]).
    oidc_provider: str | None = None
    # A local sign-in lasts in this browser (a cookie naming a server-side session) until it has
    # been idle this many hours, and at most this many days after the sign-in.
    session_idle_hours: float = Field(default=8, gt=0)
    session_max_days: float = Field(default=7, gt=0)
    # Status against target (models/status.py): the share of the change the straight line from
    # baseline to target expects by now that counts as on track, and as some progress.
    status_on_track: float = 0.95
    status_some_progress: float = 0.5
    # E-mail (python -m dashboard.notify sends the outbox; without SMTP_HOST nothing is sent and
    # the outbox still fills, visible on Administrasjon).
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    # A login (SMTP_USER) without STARTTLS sends the password in clear text: the sender refuses
    # it unless the server is on this machine, or this says the network is trusted.
    smtp_allow_plaintext_login: bool = False
    mail_from: str = "samfunnsoppdraget@localhost"
    # The licence the open-data API (/api/v1, page Åpne data) publishes the approved data under.
    open_data_licence: Literal["NLOD-2.0", "CC-BY-4.0"] = "NLOD-2.0"
    # Requests to the open-data API each client may make per minute (bursts up to as many).
    open_data_requests_per_minute: int = Field(default=120, gt=0)
    # The app's address as a reader's browser reaches it, for the links in mails and the
    # open-data API's descriptions and examples.
    app_base_url: str = "http://localhost:8501"
    # Reporting reminders go this many days before a period's due date (and again once overdue).
    reminder_days: int = Field(default=7, ge=0)
    # Small-number suppression (dashboard/statistics/suppression.py): a value computed from
    # fewer persons than this is never shown to partners or visitors, nor in their downloads
    # and reports; the internal roles see it marked.
    suppress_below: int = Field(default=5, ge=1)

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> Self:
        if not 0 < self.status_some_progress < self.status_on_track:
            raise ValueError(
                "STATUS_SOME_PROGRESS must be above 0 and below STATUS_ON_TRACK "
                f"(got {self.status_some_progress} and {self.status_on_track})"
            )
        return self

    @property
    def smtp_login_refused(self) -> bool:
        """Whether the sender refuses to log in: a password that would go unencrypted to a
        mail server on another machine, without SMTP_ALLOW_PLAINTEXT_LOGIN."""
        return bool(
            self.smtp_host
            and self.smtp_user
            and not self.smtp_starttls
            and not self.smtp_allow_plaintext_login
            and not is_local(self.smtp_host)
        )

    @property
    def thresholds(self) -> Thresholds:
        """The status thresholds as the status calculation takes them."""
        return Thresholds(on_track=self.status_on_track, some_progress=self.status_some_progress)


def is_local(host: str) -> bool:
    """Whether host is this machine (what is sent there never crosses the network)."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@lru_cache
def get_settings() -> Settings:
    """The settings of this process."""
    return Settings()
