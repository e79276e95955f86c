"""The browser-free load client (bench/load.py) runs the pages it asks for on a real server
and notices a page that did not show what it should."""

from bench.load import Click, run_load
from tests.support.server import app_server


def test_sessions_run_pages_over_the_websocket_and_check_what_they_show() -> None:
    pages = [Click("oversikt", "", "Oversikt"), Click("mal", "", "Mål")]
    with app_server() as url:
        result = run_load(url, None, pages, sessions=2, seconds=4)
        assert result.errors == []
        assert len(result.latencies_ms) >= 2 and result.median_ms
        wrong = run_load(url, None, [Click("mal", "", "Ingen slik tittel")], 1, 2)
    assert wrong.latencies_ms == []
    assert wrong.errors and all("Ingen slik tittel" in error for error in wrong.errors)
