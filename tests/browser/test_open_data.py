"""The open-data API on a real server (`streamlit run dashboard/server.py` on the seeded
mission): its routes answer beside the dashboard, and `frictionless validate` accepts the
package straight from its URL."""

from collections.abc import Iterator

import httpx
import pytest
from frictionless import validate
from support import server

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
