"""The Åpne data page's pieces: the API's address as this reader reaches it, and the calls."""

from urllib.parse import urlsplit

import streamlit as st

from dashboard.services.opendata.publish import API_PATH, LICENCES
from dashboard.services.opendata.schema import TABLES
from dashboard.settings import get_settings
from dashboard.ui.context import t


def api_base() -> str:
    """The API's base URL: the address the reader's browser has, else APP_BASE_URL."""
    parts = urlsplit(st.context.url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}{API_PATH}"
    return f"{get_settings().app_base_url.rstrip('/')}{API_PATH}"


def endpoints(base: str, key: str) -> str:
    """The API's addresses for the mission with key, as a Markdown list."""
    package = f"{base}/missions/{key}"
    table = "{" + t("open_data.table_placeholder") + "}"
    lines = [
        f"- `GET {base}/missions` – {t('open_data.endpoint.missions')}",
        f"- `GET {package}/datapackage.json` – {t('open_data.endpoint.package')}",
        f"- `GET {package}/{table}.csv` – {t('open_data.endpoint.csv')}",
        f"- `GET {package}/{table}.json` – {t('open_data.endpoint.json')}",
    ]
    return "\n".join(lines)


def tables() -> str:
    """The tables of the package, each with what it holds, as a Markdown list."""
    return "\n".join(f"- `{table.name}`: {t(f'open_data.table.{table.name}')}" for table in TABLES)


def examples(base: str, key: str) -> dict[str, tuple[str, str]]:
    """Example calls by what they show: (language, code)."""
    package = f"{base}/missions/{key}"
    return {
        "open_data.example.curl": (
            "bash",
            f"curl {base}/missions\n"
            f"curl -o values.csv {package}/values.csv\n"
            f"etag=$(curl -sI {package}/values.json"
            " | grep -i '^etag:' | cut -d' ' -f2- | tr -d '\\r')\n"
            f'curl -i -H "If-None-Match: $etag" {package}/values.json  # 304 Not Modified',
        ),
        "open_data.example.python": (
            "python",
            "import pandas as pd\n\n"
            f'values = pd.read_csv("{package}/values.csv")\n'
            f'indicators = pd.read_json("{package}/indicators.json")',
        ),
        "open_data.example.frictionless": (
            "bash",
            f"frictionless validate {package}/datapackage.json",
        ),
    }


def licence() -> str:
    """The licence sentence, with the licence's name linked."""
    chosen = LICENCES[get_settings().open_data_licence]
    return t("open_data.licence_text", licence=f"[{chosen['title']}]({chosen['path']})")
