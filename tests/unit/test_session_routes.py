"""The routes that set and clear the sign-in cookie, through Starlette's test client."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient
from support.caches import clear_caches
from support.databases import url_of
from test_permissions import OP, bootstrap

from dashboard.services import sessions
from dashboard.services.permissions import Actor
from dashboard.session_routes import ROUTES

SITE = "http://dashbord.example.no"
SAME_SITE = {"Origin": SITE}


@pytest.fixture
def client(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A client of the cookie routes, on the test's database."""
    monkeypatch.setenv("DATABASE_URL", url_of(engine))
    clear_caches()
    with TestClient(Starlette(routes=ROUTES), base_url=SITE) as test_client:
        yield test_client
    clear_caches()


@pytest.fixture
def ola(engine: Engine) -> Actor:
    """An operative account."""
    return bootstrap(engine, OP, "ola@example.no")


def grant_for(user: Actor, engine: Engine) -> str:
    """The one-time grant a tab gets when its user signs in."""
    return sessions.start(user.id or 0, engine=engine).grant


def test_a_grant_becomes_an_http_only_lax_cookie(
    client: TestClient, engine: Engine, ola: Actor
) -> None:
    answer = client.post(sessions.START_PATH, content=grant_for(ola, engine), headers=SAME_SITE)
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{sessions.COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here
    token = client.cookies[sessions.COOKIE]
    assert sessions.resolve_cookie(token, engine=engine) is not None


def test_the_cookie_is_secure_behind_an_https_proxy(
    client: TestClient, engine: Engine, ola: Actor
) -> None:
    headers = {**SAME_SITE, "X-Forwarded-Proto": "https"}
    answer = client.post(sessions.START_PATH, content=grant_for(ola, engine), headers=headers)
    assert "Secure" in answer.headers["set-cookie"]


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no Origin at all
        {"Origin": "https://angriper.example.com"},
        {"Origin": SITE, "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_another_site_cannot_sign_a_browser_in(
    client: TestClient, engine: Engine, ola: Actor, headers: dict[str, str]
) -> None:
    answer = client.post(sessions.START_PATH, content=grant_for(ola, engine), headers=headers)
    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers


def test_a_grant_is_used_once_and_only_by_post(
    client: TestClient, engine: Engine, ola: Actor
) -> None:
    grant = grant_for(ola, engine)
    assert client.get(sessions.START_PATH, headers=SAME_SITE).status_code == 405
    assert client.post(sessions.START_PATH, content=grant, headers=SAME_SITE).status_code == 204
    again = client.post(sessions.START_PATH, content=grant, headers=SAME_SITE)
    assert again.status_code == 403


def test_a_new_sign_in_replaces_the_browsers_old_session(
    client: TestClient, engine: Engine, ola: Actor
) -> None:
    client.post(sessions.START_PATH, content=grant_for(ola, engine), headers=SAME_SITE)
    old = client.cookies[sessions.COOKIE]
    client.post(sessions.START_PATH, content=grant_for(ola, engine), headers=SAME_SITE)
    new = client.cookies[sessions.COOKIE]
    assert new != old
    assert sessions.resolve_cookie(old, engine=engine) is None
    assert sessions.resolve_cookie(new, engine=engine) is not None


def test_signing_out_ends_the_session_and_clears_the_cookie(
    client: TestClient, engine: Engine, ola: Actor
) -> None:
    client.post(sessions.START_PATH, content=grant_for(ola, engine), headers=SAME_SITE)
    token = client.cookies[sessions.COOKIE]
    assert client.post(sessions.END_PATH).status_code == 403  # not from our page
    assert sessions.resolve_cookie(token, engine=engine) is not None
    answer = client.post(sessions.END_PATH, headers=SAME_SITE)
    assert answer.status_code == 204
    assert "Max-Age=0" in answer.headers["set-cookie"]
    assert sessions.COOKIE not in client.cookies
    assert sessions.resolve_cookie(token, engine=engine) is None


def test_with_the_database_away_the_routes_answer_without_a_crash(
    engine: Engine, ola: Actor, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    grant = grant_for(ola, engine)
    away = tmp_path / "gone" / "dashboard.db"  # a folder that does not exist: cannot open
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{away}")
    clear_caches()
    with TestClient(Starlette(routes=ROUTES), base_url=SITE) as client:
        answer = client.post(sessions.START_PATH, content=grant, headers=SAME_SITE)
        assert (answer.status_code, answer.headers["retry-after"]) == (503, "30")
        assert sessions.COOKIE not in client.cookies
        client.cookies.set(sessions.COOKIE, "anything")
        ended = client.post(sessions.END_PATH, headers=SAME_SITE)
        assert ended.status_code == 204 and sessions.COOKIE not in ended.cookies
    clear_caches()


def test_a_sign_in_leaves_the_browser_a_device_cookie_that_outlasts_signing_out(
    client: TestClient, engine: Engine
) -> None:
    from dashboard.services.users import MAX_FAILURES, SignInFailed, authenticate

    kari = bootstrap(engine, OP, "kari@example.no", password="karis-passord-123")
    answer = client.post(sessions.START_PATH, content=grant_for(kari, engine), headers=SAME_SITE)
    cookies = answer.headers.get_list("set-cookie")
    device = next(c for c in cookies if c.startswith(f"{sessions.DEVICE_COOKIE}="))
    assert "HttpOnly" in device and "SameSite=lax" in device
    assert f"Max-Age={sessions.DEVICE_DAYS * 24 * 3600}" in device
    token = client.cookies[sessions.DEVICE_COOKIE]
    signed_out = client.post(sessions.END_PATH, headers=SAME_SITE)
    assert all(
        not c.startswith(sessions.DEVICE_COOKIE) for c in signed_out.headers.get_list("set-cookie")
    )
    for _ in range(MAX_FAILURES):  # somebody else locks the account
        with pytest.raises(SignInFailed):
            authenticate("kari@example.no", "gjett", engine=engine)
    # this browser still gets in
    assert authenticate("kari@example.no", "karis-passord-123", device=token, engine=engine)
