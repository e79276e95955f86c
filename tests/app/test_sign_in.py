"""Signing in with a local account, signing out, changing the password; a closed public view."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.caches import clear_caches

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def on_account_page() -> AppTest:
    """The app opened on Konto, nobody signed in."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("../pages/konto.py")
    at.run()
    return at


def sign_in(at: AppTest, email: str, password: str) -> AppTest:
    """Fill in and submit the sign-in form."""
    at.text_input[0].input(email)
    at.text_input[1].input(password)
    at.button[0].click()
    at.run()
    assert not at.exception, at.exception
    return at


def sidebar_text(at: AppTest) -> str:
    """The sidebar's captions."""
    return " ".join(c.value for c in at.sidebar.caption).replace("\\", "")


def test_sign_in_and_out(accounts: dict[str, str]) -> None:
    at = sign_in(on_account_page(), "Operativ@demo.invalid", accounts["operativ@demo.invalid"])
    assert "Innlogget som operativ@demo.invalid (operativ gruppe)" in sidebar_text(at)
    assert at.title[0].value == "Min side"  # the operative group lands on its start page
    at.switch_page("../pages/konto.py")
    at.run()
    at.button[-1].click()  # «Logg ut»
    at.run()
    assert "Du ser dashbordet som partner" in sidebar_text(at)


def test_a_wrong_password_says_nothing_about_the_account(accounts: dict[str, str]) -> None:
    wrong = sign_in(on_account_page(), "operativ@demo.invalid", "feil-passord")
    unknown = sign_in(on_account_page(), "finnes.ikke@demo.invalid", "feil-passord")
    assert [e.value for e in wrong.error] == [e.value for e in unknown.error]
    assert "Innloggingen mislyktes" in wrong.error[0].value
    assert "Du ser dashbordet som partner" in sidebar_text(wrong)


def test_changing_the_password(accounts: dict[str, str]) -> None:
    old = accounts["partner@demo.invalid"]
    at = sign_in(on_account_page(), "partner@demo.invalid", old)
    at.text_input[0].input("feil")
    at.text_input[1].input("et-nytt-passord-2026")
    at.button[0].click()
    at.run()
    assert "nåværende passordet stemmer ikke" in at.error[0].value
    at.text_input[0].input(old)
    at.text_input[1].input("for-kort")
    at.button[0].click()
    at.run()
    assert at.error[0].value == "Passordet må ha minst 12 tegn."
    for weak, says in (
        ("aaaaaaaaaaaa", "for det meste gjentakelser"),
        ("partner@demo.invalid", "bygger på e-postadressen"),
        ("passord12345", "for lett å gjette"),
    ):
        at.text_input[0].input(old)
        at.text_input[1].input(weak)
        at.button[0].click()
        at.run()
        assert says in at.error[0].value
    at.text_input[0].input(old)
    at.text_input[1].input("et-nytt-passord-2026")
    at.button[0].click()
    at.run()
    assert at.success[0].value == "Passordet er endret."
    again = sign_in(on_account_page(), "partner@demo.invalid", "et-nytt-passord-2026")
    assert "Innlogget som partner@demo.invalid" in sidebar_text(again)


def test_closed_public_view_shows_only_the_sign_in_page(
    accounts: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLIC_READ", "false")
    clear_caches()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert at.title[0].value == "Konto"
    with pytest.raises(ValueError):
        at.switch_page("../pages/portefolje.py")  # not registered for an anonymous visitor
    signed = sign_in(at, "partner@demo.invalid", accounts["partner@demo.invalid"])
    signed.switch_page("../pages/portefolje.py")
    signed.run()
    assert signed.title[0].value == "Portefølje"


def test_a_session_ended_elsewhere_signs_this_tab_out_on_its_next_run(
    accounts: dict[str, str],
) -> None:
    from dashboard.services import sessions
    from dashboard.ui.auth import SESSION_KEY

    at = sign_in(on_account_page(), "operativ@demo.invalid", accounts["operativ@demo.invalid"])
    assert "Innlogget som operativ@demo.invalid" in sidebar_text(at)
    sessions.end(at.session_state[SESSION_KEY])  # «Logg ut» in another tab of the browser
    at.run()
    assert "Du ser dashbordet som partner" in sidebar_text(at)
    assert at.text_input[0].label == "E-post"  # Konto offers the sign-in again


def test_signing_in_again_starts_a_new_session(accounts: dict[str, str]) -> None:
    from dashboard.ui.auth import SESSION_KEY

    password = accounts["operativ@demo.invalid"]
    at = sign_in(on_account_page(), "operativ@demo.invalid", password)
    first = at.session_state[SESSION_KEY]
    at.switch_page("../pages/konto.py")  # signed in, the operative landed on Min side
    at.run()
    at.button[-1].click()  # «Logg ut»
    at.run()
    again = sign_in(at, "operativ@demo.invalid", password)
    assert again.session_state[SESSION_KEY] != first


def test_the_e_mail_field_takes_at_most_254_characters(accounts: dict[str, str]) -> None:
    at = on_account_page()
    assert at.text_input[0].proto.max_chars == 254


def test_repeated_failures_from_one_client_are_held_off_with_a_worded_wait(
    accounts: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.services import throttle

    monkeypatch.setattr(throttle, "FIRST_WAIT", 600.0)  # longer than this test takes
    monkeypatch.setattr(throttle, "MAX_WAIT", 600.0)
    at = on_account_page()
    for _ in range(3):
        sign_in(at, "operativ@demo.invalid", "feil-passord")
        assert "Innloggingen mislyktes" in at.error[0].value
    sign_in(at, "operativ@demo.invalid", accounts["operativ@demo.invalid"])
    assert at.error[0].value.startswith("For mange mislykkede innlogginger herfra")
    assert "Vent 10 minutter, og prøv igjen." in at.error[0].value
    assert "Innlogget som" not in sidebar_text(at)
    # a new session is no way round it: Streamlit gives no address on localhost (nor behind a
    # proxy on the same host), and each new session got a fresh allowance of its own
    other = sign_in(on_account_page(), "operativ@demo.invalid", accounts["operativ@demo.invalid"])
    assert other.error[0].value.startswith("For mange mislykkede innlogginger herfra")
    assert "Innlogget som" not in sidebar_text(other)


def refusing_script() -> None:
    """The page ?side= names, which the visitor may not open, as often as the test reruns it."""
    import streamlit as st

    from dashboard.ui.auth import refuse_page
    from dashboard.ui.navigation import PAGES

    side = st.query_params.get("side", "administrasjon")
    refuse_page(next(spec for spec in PAGES if spec.url_path == side))


def test_refused_page_visits_cost_one_audit_row_per_session_page_and_minute(
    accounts: dict[str, str],
) -> None:
    from sqlmodel import Session, select

    from dashboard.db import get_engine
    from models import AuditEvent

    def refused() -> list[str]:
        with Session(get_engine()) as session:
            query = select(AuditEvent).where(AuditEvent.action == "refused")
            return sorted(str((e.after or {}).get("page")) for e in session.exec(query))

    at = AppTest.from_function(refusing_script, default_timeout=60)
    for side in ["administrasjon"] * 5 + ["rapportering"] * 5:
        at.query_params["side"] = side
        at.run()
        assert not at.exception
        assert "ikke tilgang" in at.error[0].value
    assert refused() == ["administrasjon", "rapportering"]
    AppTest.from_function(refusing_script, default_timeout=60).run()  # another session
    assert refused() == ["administrasjon", "administrasjon", "rapportering"]
