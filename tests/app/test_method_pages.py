"""The coordination staircase and system levels through AppTest, by role: the operative group
assesses the steps of its initiative and of a link in the period's check-in (a step without a
rationale is caught), everyone reads the history on Satsing and the portfolio by step on
Portefølje, the operative group edits system levels on Satsing, partners see no forms."""

from typing import Any

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from test_check_in_page import AVDIR_INITIATIVE
from test_portfolio_edit_page import initiative_id, satsing
from test_reporting_page import actor, engine, open_page, quarter

from dashboard.services.portfolio_edit import create_link
from models import Initiative, InitiativeLinkCreate, InitiativeStep, LinkKind, LinkStep

pytestmark = pytest.mark.usefixtures("accounts")
FORM = "steps-{period}-{initiative}"


def widget(at: AppTest, key: str) -> Any:
    for found in [*at.selectbox, *at.text_input, *at.multiselect]:
        if found.key == key:
            return found
    raise AssertionError(f"no widget {key}")


def press(at: AppTest, prefix: str) -> None:
    [button] = [b for b in at.button if b.key and b.key.startswith(f"FormSubmitter:{prefix}")]
    button.click()
    at.run()
    assert not at.exception, at.exception


def texts(at: AppTest) -> str:
    return " ".join(str(frame.value.to_dict()) for frame in at.dataframe)


def test_the_operative_group_assesses_steps_in_the_check_in_and_everyone_sees_them() -> None:
    period = quarter()
    other = initiative_id(27)
    link = create_link(
        actor("operativ@demo.invalid"),
        InitiativeLinkCreate(
            from_id=initiative_id(AVDIR_INITIATIVE), to_id=other, kind=LinkKind.SYNERGY
        ),
        engine=engine(),
    )
    at = open_page("operativ@demo.invalid", "rapportering")
    form = FORM.format(period=period, initiative=initiative_id(AVDIR_INITIATIVE))
    assert "Samordningstrappen" in [h.value for h in at.header]
    widget(at, f"{form}-i-step").set_value(3)
    press(at, form)  # a step without a rationale
    assert any("Begrunnelse" in e.value for e in at.error), [e.value for e in at.error]
    with Session(engine()) as session:
        assert session.exec(select(InitiativeStep)).all() == []
    widget(at, f"{form}-i-rationale").input("Faste møter og felles rutiner")
    widget(at, f"{form}-l{link}-step").set_value(1)
    widget(at, f"{form}-l{link}-rationale").input("Deler rapporter")
    press(at, form)
    assert [s.value for s in at.success] == ["2 trinn er lagret."]
    with Session(engine()) as session:
        assert [(s.step, s.rationale) for s in session.exec(select(InitiativeStep))] == [
            (3, "Faste møter og felles rutiner")
        ]
        assert [s.step for s in session.exec(select(LinkStep))] == [1]

    for email in ("partner@demo.invalid", "styringsgruppe@demo.invalid", None):
        page = satsing(email, AVDIR_INITIATIVE)
        assert "Samordningstrappen" in [s.value for s in page.subheader]
        shown = texts(page)
        assert "3. Trekke i samme retning" in shown and "1. Felles kunnskap" in shown
        assert "Faste møter og felles rutiner" in shown
        assert not [m for m in page.multiselect if m.key.endswith("-levels-pick")]

    at = open_page("partner@demo.invalid", "portefolje")
    at.query_params["visning"] = "trapp"
    at.run()
    assert not at.exception, at.exception
    [table] = [f.value for f in at.dataframe if "Koblinger" in f.value.columns]
    counts = dict(
        zip(table["Trinn"], zip(table["Satsinger"], table["Koblinger"], strict=True), strict=True)
    )
    with Session(engine()) as session:
        initiatives = len(session.exec(select(Initiative)).all())
    assert counts["3. Trekke i samme retning"] == (1, 0)
    assert counts["1. Felles kunnskap"] == (0, 1)
    assert counts["Ikke vurdert"][0] == initiatives - 1


def test_the_operative_group_names_system_levels_and_the_coverage_shows_them() -> None:
    at = satsing("operativ@demo.invalid", 9)
    [pick] = [m for m in at.multiselect if m.key.endswith("-levels-pick")]
    pick.set_value(["how_we_work", "mental_models"])
    press(at, pick.key.removesuffix("-pick"))
    assert [s.value for s in at.success] == ["Systemnivåene er lagret."]
    profile = " ".join(str(t.value.to_dict()) for t in at.table)
    assert "Hvordan vi jobber, Mentale modeller" in profile
    with Session(engine()) as session:
        stored = session.exec(select(Initiative).where(Initiative.number == 9)).one()
    assert stored.system_levels == ["how_we_work", "mental_models"]

    at = open_page("partner@demo.invalid", "portefolje")
    at.query_params["visning"] = "matrise"
    at.query_params["etter"] = "system_levels"
    at.run()
    assert not at.exception, at.exception
    [split] = [f.value for f in at.dataframe if "Ikke vurdert" in f.value.columns]
    whole = split.iloc[0]
    assert whole["Hvordan vi jobber"] == 1 and whole["Mentale modeller"] == 1


def test_the_secretariat_assesses_a_step_on_satsing_for_an_open_period() -> None:
    period = quarter()
    at = satsing("sekretariat@demo.invalid", 9)
    [pick] = [s for s in at.selectbox if s.key.endswith("-steps-period")]
    pick.set_value(period)
    at.run()
    form = FORM.format(period=period, initiative=initiative_id(9))
    widget(at, f"{form}-i-step").set_value(5)
    widget(at, f"{form}-i-rationale").input("Inngår i den faste driften")
    press(at, form)
    assert [s.value for s in at.success] == ["1 trinn er lagret."]
    assert "5. Implementert i ordinær drift" in texts(at)
    with Session(engine()) as session:
        [row] = session.exec(select(InitiativeStep)).all()
    assert (row.step, row.period_id) == (5, period)
