"""The open-data API on a real server (`streamlit run dashboard/server.py` on the seeded
mission): its routes answer beside the dashboard, and `frictionless validate` accepts the
package straight from its URL."""

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from frictionless import validate
from playwright.sync_api import Browser
from support import server
from support.browser import main_text, screenshot, wait_ready

from dashboard.i18n import translate
from dashboard.settings import get_settings


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    """A freshly served app on the seeded mission."""
    if server.chromium_missing():
        pytest.skip(server.CHROMIUM_MISSING)
    with server.app_server() as url:
        yield url


def test_the_api_is_served_beside_the_dashboard(base: str) -> None:
    key = get_settings().mission_key
    missions = httpx.get(f"{base}/api/v1/missions")
    assert missions.status_code == 200
    assert [m["key"] for m in missions.json()["missions"]] == [key]
    package_url = f"{base}/api/v1/missions/{key}/datapackage.json"
    checked = validate(package_url)
    assert checked.valid, checked.flatten(["title", "rowNumber", "fieldName", "note"])
    assert len(checked.tasks) == 14
    values = httpx.get(f"{base}/api/v1/missions/{key}/values.csv", headers={"Origin": "x.org"})
    assert values.status_code == 200 and values.headers["access-control-allow-origin"] == "*"
    assert values.text.startswith("indicator,period,period_start,period_end,value,")
    etag = values.headers["etag"]
    again = httpx.get(f"{base}/api/v1/missions/{key}/values.csv", headers={"If-None-Match": etag})
    assert again.status_code == 304
    missing = httpx.get(f"{base}/api/v1/missions/{key}/hemmelig.csv")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "unknown_resource"
    assert httpx.get(f"{base}/api/nothing").json()["error"]["status"] == 404
    page = httpx.get(f"{base}/apne-data")  # the dashboard's own page is still the app's
    assert page.status_code == 200 and "<html" in page.text.lower()


def test_the_page_walked_in_chromium_gives_calls_that_run(base: str, browser: Browser) -> None:
    """The Åpne data page in a real browser: the address it shows is the one it is read at,
    and its curl example runs as it stands, ending in a 304 for the ETag it fetched."""
    page = browser.new_page()
    try:
        page.goto(f"{base}/apne-data")
        wait_ready(page)
        screenshot(page, "apne-data")
        assert translate("nb", "open_data.licence") in main_text(page)
        blocks = [block.inner_text() for block in page.get_by_test_id("stCode").all()]
    finally:
        page.close()
    (curl,) = [block for block in blocks if block.startswith("curl ")]
    assert f"curl {base}/api/v1/missions" in curl
    with tempfile.TemporaryDirectory() as folder:
        ran = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", curl],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert ran.returncode == 0, ran.stderr
        assert (Path(folder) / "values.csv").read_text(encoding="utf-8").startswith("indicator,")
    assert "HTTP/1.1 304" in ran.stdout
