"""Åpne data: the open-data API explained to every visitor, in Norwegian and English, with the
licence the installation chose and calls that work against its own address."""

from collections.abc import Iterator

import pytest
from test_pages import open_page, texts

from dashboard.i18n import translate
from dashboard.settings import get_settings

pytestmark = pytest.mark.usefixtures("app_env")
BASE = "https://dashbord.example.no"


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Environment variables read afresh by the next run."""
    monkeypatch.setenv("APP_BASE_URL", BASE)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_visitor_reads_how_to_use_the_api(lang: str, settings: pytest.MonkeyPatch) -> None:
    at = open_page("apne_data", lang=lang)
    assert at.title[0].value == translate(lang, "page.open_data")
    shown = texts(at)
    key = get_settings().mission_key
    assert f"{BASE}/api/v1/missions/{key}/datapackage.json" in shown
    assert "Norsk lisens for offentlige data (NLOD) 2.0" in shown
    assert "https://data.norge.no/nlod/no/2.0" in shown
    assert translate(lang, "open_data.table.values") in shown
    calls = "\n".join(block.value for block in at.code)
    assert f"curl {BASE}/api/v1/missions" in calls
    assert f'pd.read_csv("{BASE}/api/v1/missions/{key}/values.csv")' in calls
    assert f"frictionless validate {BASE}/api/v1/missions/{key}/datapackage.json" in calls
    assert "…" not in calls and "{" not in calls  # calls to copy as they are, no placeholder
    assert 'curl -i -H "If-None-Match: $etag"' in calls
    below = get_settings().suppress_below
    assert translate(lang, "open_data.withheld", below=below).split(":")[0] in shown


def test_the_licence_follows_the_setting(settings: pytest.MonkeyPatch) -> None:
    settings.setenv("OPEN_DATA_LICENCE", "CC-BY-4.0")
    get_settings.cache_clear()
    shown = texts(open_page("apne_data", lang="en"))
    assert "Creative Commons Attribution 4.0" in shown and "NLOD" not in shown


def test_every_role_has_the_page_in_its_menu() -> None:
    from dashboard.ui.navigation import pages_for
    from models import Role

    for role in Role:
        assert "apne-data" in [spec.url_path for spec in pages_for(role)], role
