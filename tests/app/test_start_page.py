"""Min side per role through AppTest: each internal role lands on its own start page with its
items as links to where they are done; partners and visitors land on Oversikt and find the
latest published report on Min side; an empty mission says so in one line per section."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from support.caches import clear_caches
from support.start_world import (
    DECISION,
    INACTIVE,
    PUBLISHED_SUMMARY,
    RETURN_REASON,
    prepare_start_world,
)

from dashboard.db import make_engine, session_scope
from dashboard.migrate import upgrade
from dashboard.services.missions import set_role
from dashboard.services.users import actor_of
from models import Mission, Role, User

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def world(accounts: dict[str, str]) -> dict[str, str]:
    """The seeded database with the demo accounts and an item for every start page."""
    engine = make_engine(os.environ["DATABASE_URL"])
    prepare_start_world(engine)
    engine.dispose()
    clear_caches()
    return accounts


def opened(email: str | None, *, lang: str = "nb") -> AppTest:
    """The app at its root URL, signed in as email (None: a visitor)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    if email:
        with Session(make_engine(os.environ["DATABASE_URL"])) as session:
            user = session.exec(select(User).where(User.email == email)).one()
            at.session_state["actor"] = actor_of(user)
    at.run()
    assert not at.exception, at.exception
    return at


def links(at: AppTest) -> dict[str, str]:
    """Each page link in the main area: its label (unescaped) -> the page it opens."""
    found = {}
    for link in at.main.get("page_link"):
        found[link.proto.label.replace("\\", "")] = link.proto.page
    return found


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.main.caption).replace("\\", "")


def headers(at: AppTest) -> list[str]:
    """The sections' headings (h3, in boxes under the h2 of their group)."""
    return [h.value for h in at.subheader]


def test_the_steering_group_lands_on_reports_waiting_and_overdue_decisions(
    world: dict[str, str],
) -> None:
    at = opened("styringsgruppe@demo.invalid")
    assert at.title[0].value == "Min side"
    assert headers(at)[:2] == ["Statusrapporter til godkjenning (1)", "Åpne vedtak (1)"]
    found = links(at)
    assert found["Statusrapport 2017"] == "statusrapporter"
    assert "av Demo operativ gruppe (Avdir)" in captions(at)
    decision = f"**Forfalt**: {DECISION} · Avdir · frist 1. juni 2026"
    assert found[decision] == "styring"
    assert "Ingen mål er utenfor kurs" in captions(at)  # an empty section: one line
    assert [b.proto.label for b in at.get("download_button")][:1] == ["Last ned PDF"]


def test_the_operative_sees_overdue_work_first_and_what_came_back_with_the_reason(
    world: dict[str, str],
) -> None:
    at = opened("operativ@demo.invalid")
    assert at.title[0].value == "Min side"
    assert headers(at) == [
        "Å rapportere i åpne perioder (2)",
        "Sendt tilbake til deg (1)",
        "Sendt inn av kolleger, til godkjenning (1)",
        "Utkast du ikke har sendt inn (1)",
        "Korreksjoner som venter (0)",
    ]
    assert "Ingen korreksjoner av godkjente tall venter." in captions(at)
    labels = list(links(at))
    assert labels[0] == "**Forfalt**: 2025 · frist 1. mars 2026"  # overdue first
    assert labels[1] == "2026 · frist 1. mars 2027"
    assert f"Begrunnelse: {RETURN_REASON} (operativ2@demo.invalid" in captions(at)
    assert "Sendt inn av operativ2@demo.invalid" in captions(at)
    assert set(links(at).values()) == {"rapportering"}
    colleague = opened("operativ2@demo.invalid")
    assert "Sendt tilbake til deg (0)" in headers(colleague)
    assert "Ingenting er sendt tilbake til deg." in captions(colleague)


def test_the_secretariat_sees_overdue_organisations_accounts_and_refusals(
    world: dict[str, str],
) -> None:
    at = opened("sekretariat@demo.invalid")
    assert at.title[0].value == "Min side"
    found = links(at)
    assert found["Avdir · 2025"] == "oversikt"
    assert found[f"{INACTIVE} · deaktivert"] == "administrasjon"
    assert found["partner@demo.invalid"] == "administrasjon"
    assert "godkjenne verdier (siden rapportering)" in captions(at)
    assert "Rapportering i åpne perioder, per organisasjon (2)" in headers(at)


@pytest.mark.parametrize("email", [None, "partner@demo.invalid"])
def test_partners_and_visitors_keep_oversikt_and_find_min_side_in_the_menu(
    world: dict[str, str], email: str | None
) -> None:
    at = opened(email)
    assert at.title[0].value == "Oversikt"
    at.switch_page("../pages/start.py")
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Min side"
    assert "Siste publiserte statusrapport: 2016" in [h.value for h in at.header]
    assert PUBLISHED_SUMMARY in [m.value.replace("\\", "") for m in at.main.markdown]
    assert links(at) == {"Åpne hele rapporten": "statusrapporter"}
    assert "2017" not in " ".join(h.value for h in at.header)  # the waiting one is not published


def test_signing_in_lands_the_operative_on_min_side(world: dict[str, str]) -> None:
    at = opened(None)
    at.switch_page("../pages/konto.py")
    at.run()
    at.text_input[0].input("operativ@demo.invalid")
    at.text_input[1].input(world["operativ@demo.invalid"])
    at.button[0].click()
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Min side"
    assert "Sendt tilbake til deg (1)" in headers(at)


def test_min_side_in_english(world: dict[str, str]) -> None:
    at = opened("styringsgruppe@demo.invalid", lang="en")
    assert at.title[0].value == "My page"
    assert headers(at)[:2] == ["Status reports waiting for approval (1)", "Open decisions (1)"]
    assert any(label.startswith("**Overdue**: ") for label in links(at))


@pytest.fixture
def empty_mission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A database with one mission and nothing else, and one account per role."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(write=True, engine=engine) as session:
        mission = Mission(key="inkludering-barn-unge", title="Et nytt samfunnsoppdrag")
        session.add(mission)
        session.flush()
        for role in Role:
            user = User(email=f"{role.value}@demo.invalid", name=role.value)
            session.add(user)
            session.flush()
            set_role(session, user.id or 0, mission.id or 0, role)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    clear_caches()
    yield
    clear_caches()


@pytest.mark.usefixtures("empty_mission")
@pytest.mark.parametrize("role", list(Role))
def test_on_an_empty_mission_every_section_says_so_in_one_line(role: Role) -> None:
    at = opened(f"{role.value}@demo.invalid")
    if role == Role.PARTNER:
        at.switch_page("../pages/start.py")
        at.run()
    assert at.title[0].value == "Min side"
    assert not at.exception, at.exception
    if role == Role.PARTNER:
        assert "Ingen statusrapport er publisert ennå" in captions(at)
        return
    sections = headers(at)
    assert len(sections) >= 4, sections
    assert all(h.endswith("(0)") for h in sections), sections
    assert not links(at)  # nothing to open
    assert len(at.main.caption) >= len(sections)  # each says in one line that it is empty


def test_with_the_public_view_closed_the_operative_still_lands_on_min_side(
    world: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLIC_READ", "false")
    clear_caches()
    at = opened(None)
    assert at.title[0].value == "Konto"  # the only page before signing in
    at.text_input[0].input("operativ@demo.invalid")
    at.text_input[1].input(world["operativ@demo.invalid"])
    at.button[0].click()
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Min side"
