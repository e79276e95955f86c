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


def test_a_session_signs_in_with_a_cookie_from_post_session_and_runs_count_their_status() -> None:
    """The load bench's signed-in sessions: a cookie got over HTTP, sent with the websocket
    handshake, signs the session in (the sidebar names the account); without it nobody is.
    Every click is a request with one finished run, none lost (issue 17)."""
    from bench.capacity import sign_in_cookies
    from bench.load import Visitor
    from dashboard.db import make_engine
    from seed.demo import ensure_demo_accounts

    start = (Click("start", "", "Innlogget som"),)  # the sidebar: «Innlogget som operativ…»
    database: list[str] = []

    def prepare(url: str) -> None:
        ensure_demo_accounts(make_engine(url))
        database.append(url)

    with app_server(prepare=prepare) as url:
        cookies = sign_in_cookies(database[0], url, 2)
        signed_in = run_load(url, None, lambda i: Visitor(start, cookies[i]), 2, 3)
        anonymous = run_load(url, None, start, 1, 2)
    assert signed_in.errors == [] and signed_in.latencies_ms
    assert signed_in.requests == signed_in.finished and signed_in.lost == 0
    assert anonymous.errors and all("Innlogget som" in error for error in anonymous.errors)


def test_a_websocket_the_server_closes_or_refuses_is_an_error_not_the_end_of_the_bench() -> None:
    """A session whose connection the server drops (a process stopped, a refused handshake) is
    counted as an error of its window; the other sessions and the bench go on."""
    import threading

    from websockets.sync.server import ServerConnection, serve

    def drop(connection: ServerConnection) -> None:
        connection.recv()  # the first click
        connection.close()

    with serve(drop, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.socket.getsockname()[1]
        result = run_load(f"http://127.0.0.1:{port}", None, [Click("mal", "", "Mål")], 2, 1)
        server.shutdown()
    assert len(result.errors) == 2 and all("connection" in e for e in result.errors)
    assert result.latencies_ms == []
