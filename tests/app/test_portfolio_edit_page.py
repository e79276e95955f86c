"""Satsing's edit forms for contributions and links: the operative group confirms a proposal,
adds a link, is told when a link already exists; partners and the steering group see no forms."""

from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from streamlit.testing.v1 import AppTest
from test_reporting_page import actor, engine

from dashboard.services.portfolio_edit import editable_contributions, update_contribution
from models import AuditEvent, Contribution, ContributionUpdate, Initiative, InitiativeLink

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
pytestmark = pytest.mark.usefixtures("accounts")


def satsing(email: str | None, nr: int, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if email:
        at.session_state["actor"] = actor(email)
    if lang:
        at.session_state["lang"] = lang
    at.run()
    at.switch_page("../pages/satsing.py")
    at.query_params["nr"] = str(nr)
    at.run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, name: str, index: int = 0) -> None:
    [b for b in at.button if b.label == name][index].click()
    at.run()
    assert not at.exception, at.exception


def plain(text: str) -> str:
    """Shown text without the markdown escapes."""
    return text.replace("\\", "")


def initiative_id(number: int) -> int:
    with Session(engine()) as session:
        found = session.exec(select(Initiative.id).where(Initiative.number == number)).first()
    assert found is not None
    return found


def test_the_operative_group_confirms_a_proposal_and_the_change_is_audited() -> None:
    at = satsing("operativ@demo.invalid", 9)
    assert "Rediger bidrag og koblinger" in [s.value for s in at.subheader]
    at.radio(key=next(r.key for r in at.radio if r.key.endswith("-strength"))).set_value(1)
    button(at, "Lagre")
    assert [plain(s.value) for s in at.success] == ["Bidraget til mål 2.1 er lagret."]
    with Session(engine()) as session:
        rows = editable_contributions(session, initiative_id(9))
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "contribution")).one()
    first = next(r for r in rows if r.goal_code == "2.1")
    assert first.strength == 1 and not first.proposal
    assert event.actor_email == "operativ@demo.invalid" and event.before["proposal"] is True


def test_a_new_link_is_added_and_the_same_link_again_is_refused_with_nothing_lost() -> None:
    at = satsing("operativ@demo.invalid", 34)
    new = next(s for s in at.selectbox if "-l-new-" in s.key and s.key.endswith("-other"))
    new.set_value(initiative_id(33))
    at.selectbox(key=new.key.replace("-other", "-kind")).set_value("overlap")
    at.text_area(key=new.key.replace("-other", "-note")).set_value(
        "Begge gjelder unge utenfor arbeid"
    )
    button(at, "Legg til", 1)
    assert [plain(s.value) for s in at.success] == [
        "Koblingen til 33. Utenforfloken 3.0 er lagt til."
    ]
    # the same link, typed from the other initiative's page and the other way round
    at = satsing("operativ@demo.invalid", 33)
    new = next(s for s in at.selectbox if "-l-new-" in s.key and s.key.endswith("-other"))
    new.set_value(initiative_id(34))
    at.selectbox(key=new.key.replace("-other", "-kind")).set_value("overlap")
    at.text_area(key=new.key.replace("-other", "-note")).set_value("Skrevet på nytt")
    button(at, "Legg til", 1)
    assert "Det finnes allerede en slik kobling mellom satsing 33 og 34" in plain(at.error[0].value)
    assert at.text_area(key=new.key.replace("-other", "-note")).value == "Skrevet på nytt"
    with Session(engine()) as session:
        links = session.exec(
            select(InitiativeLink).where(col(InitiativeLink.kind) == "overlap")
        ).all()
    assert len(links) == 1 and links[0].note == "Begge gjelder unge utenfor arbeid"


def test_a_form_saved_after_a_colleagues_change_says_so_and_keeps_the_typing() -> None:
    at = satsing("operativ@demo.invalid", 9)
    with Session(engine()) as session:
        shown = editable_contributions(session, initiative_id(9))[0]
    update_contribution(
        actor("sekretariat@demo.invalid"),
        shown.id,
        ContributionUpdate(rationale="Sekretariatets begrunnelse"),
        seen=shown.fingerprint,
        engine=engine(),
    )
    rationale = next(a for a in at.text_area if a.key.endswith("-rationale"))
    rationale.set_value("Min begrunnelse")
    button(at, "Lagre")
    assert "sekretariat@demo.invalid endret eller fjernet dette" in plain(at.error[0].value)
    assert at.text_area(key=rationale.key).value == "Min begrunnelse"
    with Session(engine()) as session:
        stored = session.get(Contribution, shown.id)
    assert stored is not None and stored.rationale == "Sekretariatets begrunnelse"
    button(at, "Lagre")  # saving again goes over the colleague's change, as the message says
    assert plain(at.success[0].value).startswith("Bidraget til mål")
    with Session(engine()) as session:
        stored = session.get(Contribution, shown.id)
    assert stored is not None and stored.rationale == "Min begrunnelse"


def test_saving_an_unchanged_form_says_nothing_changed() -> None:
    at = satsing("operativ@demo.invalid", 9)
    links = [b for b in at.button if b.label == "Lagre"]
    links[-1].click()  # the last link's form, as shown
    at.run()
    assert "Ingenting er endret, så ingenting er lagret." in [plain(i.value) for i in at.info]


def test_what_was_typed_for_one_initiative_does_not_follow_to_the_next() -> None:
    at = satsing("operativ@demo.invalid", 9)
    note = next(
        a for a in at.text_area if a.key.endswith("l-new-" + str(initiative_id(9)) + "-note")
    )
    note.set_value("Gjelder bare 0-24")
    at.run()
    at.query_params["nr"] = "10"
    at.run()
    assert not at.exception, at.exception
    assert all(a.value in ("", None) for a in at.text_area if "-new-" in a.key)


def test_a_contribution_without_a_goal_is_refused() -> None:
    at = satsing("sekretariat@demo.invalid", 9)
    button(at, "Legg til")
    assert plain(at.error[0].value) == "Velg målet satsingen bidrar til. Ingenting er lagret."


def test_the_forms_speak_english_when_it_is_chosen() -> None:
    # (AppTest formats a selectbox's value outside the app's session, so in Norwegian: a
    # click there would fail in the test harness only; the labels are checked instead)
    at = satsing("operativ@demo.invalid", 9, lang="en")
    assert "Edit contributions and links" in [s.value for s in at.subheader]
    assert {"Save", "Add", "Remove the contribution", "Remove the link"} <= {
        b.label for b in at.button
    }


@pytest.mark.parametrize("email", [None, "partner@demo.invalid", "styringsgruppe@demo.invalid"])
def test_readers_see_no_edit_forms(email: str | None) -> None:
    at = satsing(email, 9)
    assert "Rediger bidrag og koblinger" not in [s.value for s in at.subheader]
    assert not [b for b in at.button if b.label in ("Lagre", "Legg til")]
