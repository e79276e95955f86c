"""Server-side sign-in sessions: rotation, idle and absolute expiry, sign-out, deactivation."""

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_permissions import AD, OP, bootstrap

from dashboard.services import sessions
from dashboard.services.permissions import Actor
from dashboard.services.users import (
    change_own_password,
    reset_password,
    update_user,
)
from models import SessionEnd, UserSession, UserUpdate

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
PASSWORD = "et-godt-passord-2026"


def signed_in(engine: Engine, user: Actor, at: dt.datetime = T0) -> tuple[int, str]:
    """A sign-in whose grant the browser exchanged: the session id and the cookie's id."""
    started = sessions.start(user.id or 0, user_agent="Chromium", now=at, engine=engine)
    token = sessions.exchange(started.grant, now=at + dt.timedelta(seconds=1), engine=engine)
    assert token is not None
    return started.session_id, token


def alive(engine: Engine, token: str, at: dt.datetime = T0) -> bool:
    """Whether the cookie still signs the browser in at that moment."""
    return sessions.resolve_cookie(token, now=at, engine=engine) is not None


def stored(engine: Engine) -> list[UserSession]:
    """Every session row, oldest first."""
    with Session(engine) as session:
        return list(session.exec(select(UserSession).order_by(UserSession.id)).all())


@pytest.fixture
def ola(engine: Engine) -> Actor:
    """An operative account with a password."""
    return bootstrap(engine, OP, "ola@example.no", PASSWORD)


@pytest.fixture
def admin(engine: Engine) -> Actor:
    """An administrator."""
    return bootstrap(engine, AD, "admin@example.no")


def test_the_cookie_names_its_user_and_only_its_hash_is_stored(engine: Engine, ola: Actor) -> None:
    session_id, token = signed_in(engine, ola)
    found = sessions.resolve_cookie(token, now=T0, engine=engine)
    assert found == sessions.Resolved(session_id, ola.id or 0)
    [row] = stored(engine)
    assert row.token_hash == sessions.digest(token) and len(row.token_hash) == 64
    assert token not in {row.token_hash, row.grant_hash}
    assert not alive(engine, row.token_hash)  # the stored hash is no cookie


def test_every_sign_in_gets_a_new_id_and_the_old_one_stops_working(
    engine: Engine, ola: Actor
) -> None:
    _first, old = signed_in(engine, ola)
    started = sessions.start(ola.id or 0, now=T0, engine=engine)
    new = sessions.exchange(started.grant, replaces=old, now=T0, engine=engine)
    assert new is not None and new != old
    assert alive(engine, new)
    assert not alive(engine, old)
    assert stored(engine)[0].end_reason == SessionEnd.REPLACED


def test_a_grant_works_once_and_only_for_a_minute(engine: Engine, ola: Actor) -> None:
    started = sessions.start(ola.id or 0, now=T0, engine=engine)
    assert sessions.exchange(started.grant, now=T0, engine=engine) is not None
    assert sessions.exchange(started.grant, now=T0, engine=engine) is None  # used up
    late = sessions.start(ola.id or 0, now=T0, engine=engine)
    after = T0 + sessions.GRANT_LIFETIME
    assert sessions.exchange(late.grant, now=after, engine=engine) is None
    assert sessions.exchange("gjettet", now=T0, engine=engine) is None


def test_a_session_idle_for_eight_hours_ends(engine: Engine, ola: Actor) -> None:
    _id, token = signed_in(engine, ola)
    assert alive(engine, token, T0 + dt.timedelta(hours=7, minutes=59))
    # that use counted as activity: another 7 h 59 min later it still works
    assert alive(engine, token, T0 + dt.timedelta(hours=15, minutes=58))
    assert not alive(engine, token, T0 + dt.timedelta(hours=23, minutes=58))
    assert stored(engine)[0].end_reason == SessionEnd.IDLE
    assert not alive(engine, token, T0 + dt.timedelta(hours=24))  # and stays ended


def test_a_session_used_all_day_still_ends_after_seven_days(engine: Engine, ola: Actor) -> None:
    _id, token = signed_in(engine, ola)
    for hours in range(6, 7 * 24, 6):  # used every six hours, up to 6 h before the 7th day
        assert alive(engine, token, T0 + dt.timedelta(hours=hours)), hours
    assert not alive(engine, token, T0 + dt.timedelta(days=7))
    assert stored(engine)[0].end_reason == SessionEnd.EXPIRED


def test_the_limits_come_from_the_settings(
    engine: Engine, ola: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.settings import get_settings

    monkeypatch.setenv("SESSION_IDLE_HOURS", "0.5")
    get_settings.cache_clear()
    try:
        _id, token = signed_in(engine, ola)
        assert not alive(engine, token, T0 + dt.timedelta(minutes=31))
    finally:
        monkeypatch.delenv("SESSION_IDLE_HOURS")
        get_settings.cache_clear()


def test_last_seen_is_written_at_most_once_a_minute(engine: Engine, ola: Actor) -> None:
    session_id, _token = signed_in(engine, ola)
    sessions.resolve(session_id, now=T0 + dt.timedelta(seconds=30), engine=engine)
    assert stored(engine)[0].last_seen_at.replace(tzinfo=dt.UTC) == T0 + dt.timedelta(seconds=1)
    sessions.resolve(session_id, now=T0 + dt.timedelta(minutes=2), engine=engine)
    assert stored(engine)[0].last_seen_at.replace(tzinfo=dt.UTC) == T0 + dt.timedelta(minutes=2)


def test_signing_out_ends_the_session_for_every_tab(engine: Engine, ola: Actor) -> None:
    session_id, token = signed_in(engine, ola)
    other_browser_id, other_browser = signed_in(engine, ola)
    sessions.end(session_id, now=T0, engine=engine)
    assert sessions.resolve(session_id, now=T0, engine=engine) is None  # the tab that signed out
    assert not alive(engine, token)  # a tab opened with the cookie
    assert alive(engine, other_browser)  # another browser is another session
    sessions.end_cookie(other_browser, engine=engine)
    assert sessions.resolve(other_browser_id, now=T0, engine=engine) is None


def test_deactivating_an_account_ends_all_its_sessions(
    engine: Engine, ola: Actor, admin: Actor
) -> None:
    tokens = [signed_in(engine, ola)[1] for _ in range(2)]
    update_user(admin, ola.id or 0, UserUpdate(active=False), reason="slutt", engine=engine)
    assert not any(alive(engine, token) for token in tokens)
    assert {row.end_reason for row in stored(engine)} == {SessionEnd.DEACTIVATED}
    update_user(admin, ola.id or 0, UserUpdate(active=True), reason="tilbake", engine=engine)
    assert not any(alive(engine, token) for token in tokens)  # a new sign-in is needed


def test_a_role_change_keeps_the_session(engine: Engine, ola: Actor, admin: Actor) -> None:
    _id, token = signed_in(engine, ola)
    update_user(admin, ola.id or 0, UserUpdate(name="Ola N."), reason="navn", engine=engine)
    assert alive(engine, token)


def test_an_admin_password_reset_ends_all_the_users_sessions(
    engine: Engine, ola: Actor, admin: Actor
) -> None:
    _id, token = signed_in(engine, ola)
    _admin_id, admins = signed_in(engine, admin)
    reset_password(admin, ola.id or 0, reason="glemt", engine=engine)
    assert not alive(engine, token)
    assert alive(engine, admins)


def test_changing_ones_own_password_ends_the_other_sessions(engine: Engine, ola: Actor) -> None:
    here, token = signed_in(engine, ola)
    _elsewhere, other = signed_in(engine, ola)
    change_own_password(ola, PASSWORD, "et-nytt-passord-2026", keep_session=here, engine=engine)
    assert alive(engine, token)
    assert not alive(engine, other)


def test_a_failed_deactivation_leaves_the_sessions(engine: Engine, admin: Actor) -> None:
    from dashboard.services.users import LastAdmin

    _id, token = signed_in(engine, admin)
    with pytest.raises(LastAdmin):
        update_user(admin, admin.id or 0, UserUpdate(active=False), reason="x", engine=engine)
    assert alive(engine, token)  # the same transaction rolled back


def test_a_grant_sent_twice_at_once_signs_in_only_once(engine: Engine, ola: Actor) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from functools import partial

    for _ in range(5):
        grant = sessions.start(ola.id or 0, engine=engine).grant
        with ThreadPoolExecutor(4) as pool:
            tokens = list(pool.map(partial(sessions.exchange, engine=engine), [grant] * 4))
        winners = [token for token in tokens if token is not None]
        assert len(winners) == 1
        assert alive(engine, winners[0], dt.datetime.now(dt.UTC))
