"""All configuration in one place, read from the environment (or a .env file)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Settings of the app; every field can be set as an environment variable."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{ROOT / 'data' / 'dashboard.db'}"
    language: Literal["nb", "en"] = "nb"
    sqlite_busy_timeout_ms: int = 5000
    mission_key: str = "inkludering-barn-unge"
    # Whether visitors who have not signed in may read what partners read (approved data only).
    public_read: bool = True
    # After an OpenID Connect sign-in with an e-mail that has no account here: partner rights
    # ("partner") or no access at all ("none").
    oidc_unknown_users: Literal["partner", "none"] = "none"
    # The provider's name when Streamlit's secrets configure several ([auth.<name>]).
    oidc_provider: str | None = None


@lru_cache
def get_settings() -> Settings:
    """The settings of this process."""
    return Settings()
