"""Every UI string comes from the catalogues; numbers and dates look Norwegian."""

import datetime as dt
import re
from enum import StrEnum
from pathlib import Path

import pytest

import models.enums
from dashboard.i18n import LANGUAGES, catalogue, translate
from dashboard.i18n.formatting import date, measured, number, percent

ROOT = Path(__file__).resolve().parents[2]
# a message key in quotes (not a page script such as "start.py")
KEY = re.compile(
    r"""["']((?:app|page|overview|goals|portfolio|initiative|indicators|governance|knowledge|chart|download|common|empty|col|progress|report|decision|workflow|correction|start|accessibility)\.[a-z_.]+)(?<!\.py)["']"""
)
LABEL_KINDS = re.compile(r"""labels?\((?:[^()]|\([^()]*\))*?,\s*["']([A-Za-z]+)["']\)""")


def app_sources() -> list[Path]:
    """The app's own Python files (not the migrations)."""
    return [
        *ROOT.glob("pages/*.py"),
        *ROOT.glob("dashboard/*.py"),
        *ROOT.glob("dashboard/ui/**/*.py"),
        *ROOT.glob("dashboard/services/**/*.py"),
    ]


def used_keys() -> set[str]:
    """Message keys named in the app's code."""
    keys: set[str] = set()
    for path in app_sources():
        keys |= set(KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def used_enum_kinds() -> set[str]:
    """Enum names whose values the pages show as labels."""
    kinds: set[str] = set()
    for path in app_sources():
        kinds |= set(LABEL_KINDS.findall(path.read_text(encoding="utf-8")))
    return kinds | {"Role"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_used_in_code_exists(lang: str) -> None:
    missing = sorted(used_keys() - set(catalogue(lang)))
    assert missing == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_enum_value_shown_has_a_label(lang: str) -> None:
    missing = []
    for kind in used_enum_kinds():
        enum = getattr(models.enums, kind)
        assert issubclass(enum, StrEnum)
        missing += [
            f"enum.{kind}.{v.value}"
            for v in enum
            if f"enum.{kind}.{v.value}" not in catalogue(lang)
        ]
    assert missing == []


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    nb, en = catalogue("nb"), catalogue("en")
    assert set(nb) == set(en)
    for key in nb:
        assert set(re.findall(r"{(\w+)}", nb[key])) == set(re.findall(r"{(\w+)}", en[key])), key


def test_translate_fills_values_and_falls_back() -> None:
    assert translate("en", "portfolio.showing", shown=3, total=34) == "Showing 3 of 34 initiatives."
    assert translate("nb", "no.such.key") == "no.such.key"


def test_norwegian_numbers_and_dates() -> None:
    assert number(1234567.891, "nb", 3) == "1\u00a0234\u00a0567,891"
    assert number(100000) == "100\u00a0000"
    assert percent(24.7) == "24,7\u00a0%"
    assert measured(110700, "count", "barn") == "110\u00a0700 barn"
    assert date(dt.date(2026, 3, 5)) == "5. mars 2026"
    assert date(dt.date(2024, 2, 1), month_only=True) == "februar 2024"
    assert number(1234.5, "en") == "1,234.5"
    assert number(None) == "–"


def test_validation_errors_become_actionable_messages_in_both_languages() -> None:
    from pydantic import ValidationError

    from dashboard.i18n.validation import describe
    from models import InitiativeCreate

    with pytest.raises(ValidationError) as too_long:
        InitiativeCreate(mission_id=1, number=1, name="x" * 301, start_year=2021, end_year=2015)
    nb, en = describe(too_long.value, "nb"), describe(too_long.value, "en")
    assert nb == ["«Navn»: Teksten er for lang; høyst 300 tegn."]
    assert en == ["«Name»: The text is too long; at most 300 characters."]
    with pytest.raises(ValidationError) as control:
        InitiativeCreate(
            mission_id=1, number=1, name="Ny\x00satsing", start_year=2021, end_year=2015
        )
    assert describe(control.value, "nb") == [
        "«Navn»: Teksten inneholder kontrolltegn eller NUL; fjern dem "
        "(ofte kommer de fra innliming)."
    ]


def test_names_sort_the_norwegian_way() -> None:
    from dashboard.i18n import sort_key

    names = ["Åsane", "Øvre Eiker", "asker", "Bufdir", "Ærø", "Zeta"]
    assert sorted(names, key=sort_key) == ["asker", "Bufdir", "Zeta", "Ærø", "Øvre Eiker", "Åsane"]


def test_numbers_in_validation_messages_are_written_the_way_of_the_language() -> None:
    from pydantic import ValidationError

    from dashboard.i18n.validation import describe
    from models import ValueEntry

    with pytest.raises(ValidationError) as refused:
        ValueEntry.model_validate({"value": "90 000"}, context={"measure": "percent"})
    assert describe(refused.value, "nb") == [
        "«Verdi»: En prosentandel må være mellom 0 og 100, ikke 90\u00a0000."
    ]
    assert describe(refused.value, "en")[0].endswith("not 90,000.")


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("nb", "1 verdi lagret.", "2 verdier lagret."),
        ("en", "1 value saved.", "2 values saved."),
    ],
)
def test_counts_agree_in_number(lang: str, one: str, two: str) -> None:
    assert translate(lang, "reporting.saved_count", count=1) == one
    assert translate(lang, "reporting.saved_count", count=2) == two
    assert translate(lang, "reporting.saved_count", count=0).startswith("0 ")
    assert "0 verdier" in translate("nb", "reporting.saved_count", count=0)


def test_every_singular_form_has_its_plural_and_the_same_placeholders() -> None:
    nb = catalogue("nb")
    for key in (k for k in nb if k.endswith(".one")):
        other = key.removesuffix(".one")
        assert other in nb, key
        assert "{count}" in nb[key] and "{count}" in nb[other], key
        assert set(re.findall(r"{(\w+)}", nb[key])) == set(re.findall(r"{(\w+)}", nb[other]))


def test_times_are_written_in_words_in_norwegian_time() -> None:
    from dashboard.i18n.formatting import local_time

    winter = dt.datetime(2026, 12, 4, 18, 48, tzinfo=dt.UTC)  # 19.48 in Oslo (CET)
    assert local_time(winter, "nb") == "4. desember 2026 kl. 19.48"
    assert local_time(winter, "en") == "4 December 2026 at 19:48"
    summer = dt.datetime(2026, 6, 4, 18, 48)  # SQLite gives UTC back naive; CEST is UTC+2
    assert local_time(summer, "nb") == "4. juni 2026 kl. 20.48"
    assert local_time(None, "nb") == ""


def test_every_category_in_the_seed_data_is_translated() -> None:
    """Short labels in the mission's data that are really categories (a governance body's
    phase) read in English as English (issue 15); free text stays as written."""
    import yaml

    from dashboard.i18n import category

    bodies = yaml.safe_load((ROOT / "seed" / "data" / "governance.yaml").read_text("utf-8"))
    phases = {body["phase"] for body in bodies if body.get("phase")}
    assert phases >= {"Løpende", "Designfasen 2023/2024"}
    assert {phase: category("en", phase) for phase in phases} == {
        "Løpende": "Ongoing",
        "Designfasen 2023/2024": "Design phase 2023/2024",
    }
    assert {category("nb", phase) for phase in phases} == phases
    assert category("en", "Kjernegruppen") == "Kjernegruppen"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_mission_methods_audit_entities_have_names(lang: str) -> None:
    """The audit log names what changed in words for every entity of the mission's way of
    working (issue 18), never its code."""
    from dashboard.services import agencies, funding, involvement, learning, method

    entities = [
        method.INITIATIVE_STEP,
        method.LINK_STEP,
        method.SYSTEM_LEVELS,
        involvement.ENTITY,
        funding.ENTITY,
        learning.ENTITY,
        agencies.TASK,
        agencies.PHASE,
    ]
    missing = [e for e in entities if f"audit.entity.{e}" not in catalogue(lang)]
    assert not missing
