"""Input validation of the domain models: what a user types is cleaned or refused with a reason."""

import datetime as dt
import math

import pytest
from pydantic import ValidationError

from models import (
    GovernanceBodyUpdate,
    IndicatorCreate,
    IndicatorUpdate,
    IndicatorValueCreate,
    InitiativeCreate,
    InitiativeLinkCreate,
    InitiativeUpdate,
    MissionUpdate,
    OrganisationCreate,
    PeriodCreate,
    UserCreate,
)


def error_types(exc: ValidationError) -> set[str]:
    """The pydantic error types of a validation error."""
    return {e["type"] for e in exc.errors()}


def test_names_are_nfc_normalised_and_stripped() -> None:
    org = OrganisationCreate(key="x", short_name="  Bufdir ", name="Barne-, ungdoms- og fa\u0308")
    assert org.short_name == "Bufdir"
    assert org.name.endswith("\u00e4")  # a + combining diaeresis became one character


@pytest.mark.parametrize("bad", ["a\x00b", "tab\x07bell", "esc\x1b[31m", "c1\x85x"])
def test_nul_and_control_characters_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        OrganisationCreate(key="x", short_name="x", name=bad)
    assert "control_characters" in error_types(caught.value)


@pytest.mark.parametrize(
    "control",
    # embeddings, overrides and isolates, and the marks (left-to-right, right-to-left, Arabic)
    list("\u202a\u202b\u202c\u202d\u202e\u2066\u2069\u200e\u200f\u061c"),
)
def test_bidirectional_controls_are_refused_in_names_and_notes(control: str) -> None:
    # «\u202eevil» shows as «live»: a name must read the way it shows
    with pytest.raises(ValidationError) as caught:
        OrganisationCreate(key="x", short_name="x", name=f"{control}evil")
    assert "bidi_characters" in error_types(caught.value)
    with pytest.raises(ValidationError) as caught:
        IndicatorUpdate(note=f"Merknad {control}evil")
    assert "bidi_characters" in error_types(caught.value)


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060"])
def test_zero_width_characters_are_removed(invisible: str) -> None:
    organisation = OrganisationCreate(key="x", short_name="x", name=f"{invisible}Buf{invisible}dir")
    assert organisation.name == "Bufdir"
    assert IndicatorUpdate(note=f"a{invisible}b").note == "ab"
    with pytest.raises(ValidationError):  # nothing but invisible characters is no name
        OrganisationCreate(key="x", short_name="x", name=invisible * 3)


@pytest.mark.parametrize(
    "model, field",
    [
        (IndicatorUpdate, "unit"),
        (IndicatorUpdate, "source"),
        (IndicatorUpdate, "source_table"),
        (MissionUpdate, "short_title"),
        (MissionUpdate, "launched_in"),
        (InitiativeUpdate, "link"),
        (InitiativeUpdate, "region"),
        (GovernanceBodyUpdate, "phase"),
    ],
)
def test_optional_one_line_fields_refuse_line_breaks(model: type, field: str) -> None:
    for broken in ("første\nandre", "første\r\nandre", "a\tb", "a\u2028b", "a\u2029b"):
        with pytest.raises(ValidationError) as caught:
            model(**{field: broken})
        assert error_types(caught.value) == {"single_line"}
    assert getattr(model(**{field: "  én linje "}), field) == "én linje"
    assert getattr(model(**{field: " "}), field) is None


def test_names_must_be_one_line_and_not_too_long() -> None:
    with pytest.raises(ValidationError) as caught:
        OrganisationCreate(key="x", short_name="a\nb", name="x" * 201)
    assert error_types(caught.value) == {"single_line", "string_too_long"}


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])  # Unicode's line and paragraph
def test_one_line_fields_refuse_unicode_line_separators(separator: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PeriodCreate(
            mission_id=1,
            label=f"20{separator}25",
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
        )
    assert error_types(caught.value) == {"single_line"}
    assert IndicatorUpdate(note=f"første{separator}andre").note == f"første{separator}andre"


def test_empty_name_is_refused_but_empty_note_is_none() -> None:
    with pytest.raises(ValidationError) as caught:
        OrganisationCreate(key="x", short_name="   ", name="x")
    assert "string_too_short" in error_types(caught.value)
    assert OrganisationCreate(key="x", short_name="x", name="x", note="  ").note is None


def test_unknown_enum_value_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        OrganisationCreate(key="x", short_name="x", name="x", kind="company")
    assert error_types(caught.value) == {"enum"}


def test_initiative_end_year_must_not_precede_start_year() -> None:
    with pytest.raises(ValidationError) as caught:
        InitiativeCreate(mission_id=1, number=1, name="x", start_year=2021, end_year=2015)
    assert error_types(caught.value) == {"year_range"}
    assert "2015" in str(caught.value) and "2021" in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("start_year", 1800, "greater_than_equal"),
        ("end_year", 2500, "less_than_equal"),
        ("category", 10, "less_than_equal"),
        ("budget_nok", -1, "greater_than_equal"),
        ("focus", ["lobbying"], "enum"),
    ],
)
def test_initiative_ranges(field: str, value: object, kind: str) -> None:
    with pytest.raises(ValidationError) as caught:
        InitiativeCreate.model_validate({"mission_id": 1, "number": 1, "name": "x", field: value})
    assert kind in error_types(caught.value)


def test_counts_cannot_be_negative_and_percentages_stay_within_0_and_100() -> None:
    with pytest.raises(ValidationError) as caught:
        IndicatorCreate(mission_id=1, code="A", name="a", measure="count", baseline_value=-5)
    assert error_types(caught.value) == {"negative_count"}
    with pytest.raises(ValidationError) as caught:
        IndicatorCreate(mission_id=1, code="A", name="a", measure="percent", target_value=101)
    assert error_types(caught.value) == {"percent_range"}
    ok = IndicatorCreate(mission_id=1, code="A", name="a", measure="percent", baseline_value=24.7)
    assert ok.baseline_value == 24.7


def test_indicator_target_year_not_before_baseline_year() -> None:
    with pytest.raises(ValidationError) as caught:
        IndicatorCreate(mission_id=1, code="A", name="a", baseline_year=2022, target_year=2020)
    assert error_types(caught.value) == {"year_range"}


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_values_must_be_finite(value: float) -> None:
    with pytest.raises(ValidationError) as caught:
        IndicatorValueCreate(indicator_id=1, period_id=1, value=value)
    assert error_types(caught.value) == {"finite_number"}


def test_period_must_end_after_it_starts() -> None:
    with pytest.raises(ValidationError) as caught:
        PeriodCreate(mission_id=1, label="2025-K1", start="2025-03-31", end="2025-01-01")
    assert error_types(caught.value) == {"date_range"}


def test_initiative_cannot_link_to_itself() -> None:
    with pytest.raises(ValidationError) as caught:
        InitiativeLinkCreate(from_id=3, to_id=3, kind="synergy")
    assert error_types(caught.value) == {"self_link"}


def test_user_email_must_be_an_address() -> None:
    with pytest.raises(ValidationError):
        UserCreate(email="not-an-address", name="Kari")
    assert UserCreate(email="kari@example.no", name="Kari").role == "partner"
