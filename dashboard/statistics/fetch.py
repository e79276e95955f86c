"""Fetching a table from Statistics Norway's PxWebApi v2 as JSON-stat 2.0.

The address is `{SSB_API}/tables/{table}/data?lang=no&outputFormat=json-stat2` with one
`valueCodes[Dimension]=codes` parameter per dimension of the indicator's selection
(models.statistics). Each try has a timeout (TIMEOUT); a connection that fails, a timeout, a
429 or a 5xx answer is tried again (TRIES in all, waiting a little longer each time; a 429's
Retry-After is honoured up to RETRY_MAX_WAIT). What still fails is Unreachable, with a reason a
person can act on, never a traceback.
"""

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

DEFAULT_API = "https://data.ssb.no/api/pxwebapi/v2"
TIMEOUT = httpx.Timeout(20.0, connect=5.0)
TRIES = 3
RETRY_MAX_WAIT = 10.0
ANSWER_MAX_BYTES = 20 * 1024 * 1024  # a bigger answer is refused rather than read into memory


def api_base() -> str:
    """PxWebApi v2's address: SSB_API (for a mirror, or a test server), else SSB's own."""
    return os.environ.get("SSB_API", DEFAULT_API).rstrip("/")


class Unreachable(Exception):
    """SSB's API did not give the table: reason is offline, timeout, status or too_large
    (i18n statistics.unreachable.<reason>)."""

    def __init__(self, reason: str, url: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {url} {detail}".strip())
        self.reason = reason
        self.url = url
        self.detail = detail


@dataclass(frozen=True)
class Fetched:
    """What the API answered, and when it was asked."""

    url: str
    data: bytes
    retrieved_at: dt.datetime


def table_url(table: str, selection: dict[str, list[str]], base: str | None = None) -> str:
    """The address of a table's data with the selection, as JSON-stat 2.0 in Norwegian."""
    params = [("lang", "no"), ("outputFormat", "json-stat2")]
    params += [(f"valueCodes[{dim}]", ",".join(codes)) for dim, codes in selection.items()]
    return f"{base or api_base()}/tables/{table}/data?{urlencode(params, safe='[],*()+')}"


def fetch_table(
    table: str,
    selection: dict[str, list[str]],
    *,
    base: str | None = None,
    tries: int | None = None,
    timeout: httpx.Timeout | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Fetched:
    """The table's JSON-stat text from the API, or Unreachable saying why (TRIES tries of
    TIMEOUT each unless told otherwise)."""
    url = table_url(table, selection, base)
    last = Unreachable("offline", url)
    wait = sleep or time.sleep
    tries = tries or TRIES
    with httpx.Client(timeout=timeout or TIMEOUT, follow_redirects=True) as client:
        for attempt in range(tries):
            if attempt:
                wait(min(RETRY_MAX_WAIT, 2.0**attempt))
            try:
                response = client.get(url, headers={"Accept": "application/json"})
            except httpx.TimeoutException as exc:
                last = Unreachable("timeout", url, type(exc).__name__)
                continue
            except httpx.TransportError as exc:
                last = Unreachable("offline", url, type(exc).__name__)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                last = Unreachable("status", url, str(response.status_code))
                after = response.headers.get("Retry-After", "")
                if after.isdigit() and attempt + 1 < tries:
                    wait(min(RETRY_MAX_WAIT, float(after)))
                continue
            if response.status_code != 200:  # 400, 404: asking again gives the same answer
                raise Unreachable("status", url, str(response.status_code))
            if len(response.content) > ANSWER_MAX_BYTES:
                raise Unreachable("too_large", url)
            return Fetched(url, response.content, dt.datetime.now(dt.UTC))
    raise last
