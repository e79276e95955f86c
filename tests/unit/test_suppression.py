"""Small-number suppression (issue 19): primary and secondary, on counts and on shares' bases,
and the frame a partner and an internal role sees."""

import itertools
import random

import numpy as np
import pandas as pd
import pytest

from dashboard.services.permissions import ANONYMOUS, Actor, sees_suppressed
from dashboard.settings import Settings
from dashboard.statistics.suppression import (
    PRIMARY,
    SECONDARY,
    SYMBOL,
    age_parents,
    age_total_code,
    hidden_count,
    region_parent,
    suppress,
    viewer_frame,
)
from models import Measure, Role


def cells(rows: list[tuple[str, str, str, float | None]], **extra: object) -> pd.DataFrame:
    """A long frame of (region, gender, age, value) cells for 2024, base unknown."""
    frame = pd.DataFrame(rows, columns=["region", "gender", "age", "value"])
    frame["year"] = "2024"
    frame["base"] = np.nan
    frame["symbol"] = None
    for column, values in extra.items():
        frame[column] = values
    return frame


def kinds(frame: pd.DataFrame) -> dict[tuple[str, str, str], str | None]:
    return {
        (r, g, a): k
        for r, g, a, k in zip(frame.region, frame.gender, frame.age, frame.suppressed, strict=True)
    }


def test_the_setting_defaults_to_five_and_refuses_nonsense(monkeypatch: pytest.MonkeyPatch):
    assert Settings().suppress_below == 5
    monkeypatch.setenv("SUPPRESS_BELOW", "10")
    assert Settings().suppress_below == 10
    monkeypatch.setenv("SUPPRESS_BELOW", "0")
    with pytest.raises(ValueError, match="suppress_below"):
        Settings()


@pytest.mark.parametrize(
    ("who", "internal"),
    [
        (Role.OPERATIVE, True),
        (Role.STEERING, True),
        (Role.ADMIN, True),
        (Role.PARTNER, False),
        (ANONYMOUS, False),
        (Actor(id=7, email="p@example.org", role=Role.PARTNER), False),
        (Actor(id=8, email="o@example.org", role=Role.OPERATIVE), True),
    ],
)
def test_which_roles_see_suppressed_cells(who: Actor | Role, internal: bool):
    assert sees_suppressed(who) is internal


@pytest.mark.parametrize(
    ("value", "measure", "hidden"),
    [
        (0, "count", True),
        (1, "count", True),
        (4, "count", True),
        (4.5, Measure.COUNT, True),
        (5, "count", False),
        (95000, "count", False),
        (None, "count", False),
        (float("nan"), "count", False),
        (3, "percent", False),  # a share without its base: what it rests on is unknown
        (3, "rate", False),
        (3, None, False),
    ],
)
def test_a_whole_country_count_below_the_threshold_is_hidden(value, measure, hidden):
    assert hidden_count(value, measure, below=5) is hidden


def test_the_threshold_comes_from_the_setting(monkeypatch: pytest.MonkeyPatch):
    from dashboard.settings import get_settings

    monkeypatch.setenv("SUPPRESS_BELOW", "10")
    get_settings.cache_clear()
    try:
        assert hidden_count(7, "count")
        frame = suppress(cells([("0", "0", "T", 7.0)]), "count")
        assert frame.suppressed.tolist() == [PRIMARY]
    finally:
        monkeypatch.delenv("SUPPRESS_BELOW")
        get_settings.cache_clear()
    assert not hidden_count(7, "count")


@pytest.mark.parametrize(
    ("code", "parent"),
    [("0", None), ("03", "0"), ("46", "0"), ("0301", "03"), ("4601", "46"), ("EAK", None)],
)
def test_region_parents(code: str, parent: str | None):
    assert region_parent(code) == parent


@pytest.mark.parametrize(
    ("codes", "total"),
    [
        (["15-29"], None),
        (["15-19", "20-24", "25-29", "15-29"], "15-29"),
        (["15-29", "15-19", "20-29"], "15-29"),
        (["0-17", "18+", "999"], "999"),
        (["999D", "15-29"], "999D"),
        (["15-19", "20-24"], None),
        (["a", "b"], None),
    ],
)
def test_the_age_total_is_found(codes: list[str], total: str | None):
    assert age_total_code(codes) == total


@pytest.mark.parametrize(
    ("codes", "total", "parents"),
    [
        (["15-19", "20-24", "25-29", "15-29"], None, {"15-19": "15-29", "15-29": None}),
        (
            ["15-19", "20-24", "15-24", "25-29", "15-29"],
            "15-29",
            {"15-19": "15-24", "20-24": "15-24", "15-24": "15-29", "25-29": "15-29"},
        ),
        (["15-19", "20-24", "15-24", "30-34"], None, {"20-24": "15-24", "30-34": None}),
        (["016", "017", "999"], None, {"016": "999", "017": "999", "999": None}),
        (["a", "b"], None, {"a": None, "b": None}),
    ],
)
def test_each_age_adds_up_to_the_narrowest_age_that_holds_it(
    codes: list[str], total: str | None, parents: dict[str, str | None]
):
    found = age_parents(codes, total)
    assert {code: found[code] for code in parents} == parents


def test_a_hidden_age_group_cannot_be_worked_out_from_a_subtotal():
    """15-29 is the sum of its three groups, but 30-34 is there too, so no code is the total
    of all the others: 113 - 50 - 60 would still give the 3 back."""
    frame = suppress(
        cells(
            [
                ("0", "0", "15-19", 3.0),
                ("0", "0", "20-24", 50.0),
                ("0", "0", "25-29", 60.0),
                ("0", "0", "15-29", 113.0),
                ("0", "0", "30-34", 70.0),
            ]
        ),
        "count",
        below=5,
    )
    assert frame.suppressed.tolist() == [PRIMARY, SECONDARY, None, None, None]


def test_primary_on_counts_uses_the_value_when_no_base_is_given():
    frame = suppress(
        cells(
            [("0", "0", "T", 3.0), ("0", "0", "U", 5.0), ("0", "0", "V", None)],
            base=[np.nan, 2.0, np.nan],
            symbol=[None, None, ".."],
        ),
        "count",
        below=5,
        age_total=None,
    )
    # 3 persons: hidden; 5 persons although the base says 2: the base wins; no value: nothing
    assert frame.suppressed.tolist() == [PRIMARY, PRIMARY, None]


def test_a_small_count_is_hidden_although_a_larger_base_is_given():
    """3 men out of 2 400: the count is 3 persons, whatever population it is out of; the
    women go with them (else 120 - 117), and the partner gets neither count nor base."""
    frame = suppress(
        cells(
            [("0", "0", "T", 120.0), ("0", "1", "T", 3.0), ("0", "2", "T", 117.0)],
            base=[5000.0, 2400.0, 2600.0],
        ),
        "count",
        below=5,
    )
    assert frame.suppressed.tolist() == [None, PRIMARY, SECONDARY]
    shown = viewer_frame(frame, internal=False)
    assert shown.value[1:].isna().all() and shown.base[1:].isna().all()


def test_shares_are_suppressed_on_their_base_and_never_without_one():
    frame = suppress(
        cells(
            [("0", "0", "T", 50.0), ("0", "0", "U", 2.0), ("0", "0", "V", 1.0)],
            base=[4.0, 400.0, np.nan],
        ),
        "percent",
        below=5,
        age_total=None,
    )
    assert frame.suppressed.tolist() == [PRIMARY, None, None]


def test_a_hidden_gender_cannot_be_worked_out_from_the_total():
    """Both genders 120, men 3, women 117: without secondary suppression 120 - 117 gives the 3
    men back. The women are hidden too; the total stays."""
    frame = suppress(
        cells([("0", "0", "T", 120.0), ("0", "1", "T", 3.0), ("0", "2", "T", 117.0)]),
        "count",
        below=5,
    )
    assert kinds(frame) == {
        ("0", "0", "T"): None,
        ("0", "1", "T"): PRIMARY,
        ("0", "2", "T"): SECONDARY,
    }
    shown = viewer_frame(frame, internal=False)
    known = shown.dropna(subset=["value"])
    # what a partner sees cannot give the men back: only the total is left
    assert known.gender.tolist() == ["0"]
    assert shown.loc[shown.gender == "1", "symbol"].item() == SYMBOL


def test_the_next_smallest_municipality_is_hidden_not_the_largest():
    frame = suppress(
        cells(
            [
                ("03", "0", "T", 500.0),
                ("0301", "0", "T", 500.0),  # Oslo: the only municipality of its county
                ("46", "0", "T", 300.0),
                ("4601", "0", "T", 200.0),
                ("4602", "0", "T", 2.0),
                ("4603", "0", "T", 40.0),
                ("4604", "0", "T", 58.0),
            ]
        ),
        "count",
        below=5,
    )
    found = kinds(frame)
    assert found[("4602", "0", "T")] == PRIMARY
    assert found[("4603", "0", "T")] == SECONDARY
    assert found[("4601", "0", "T")] is None
    assert found[("4604", "0", "T")] is None
    assert found[("46", "0", "T")] is None


def test_a_lone_municipality_hides_its_county_with_it():
    frame = suppress(
        cells(
            [
                ("0", "0", "T", 600.0),
                ("03", "0", "T", 4.0),
                ("0301", "0", "T", 4.0),
                ("11", "0", "T", 596.0),
            ]
        ),
        "count",
        below=5,
    )
    found = kinds(frame)
    assert found[("03", "0", "T")] == PRIMARY
    assert found[("0301", "0", "T")] == PRIMARY
    # the county 03 is then hidden among the counties: the other county goes with it, else
    # 600 - 596 gives it back; the country stays
    assert found[("11", "0", "T")] == SECONDARY
    assert found[("0", "0", "T")] is None


def test_a_county_whose_file_holds_only_some_municipalities_keeps_its_total():
    """A file with one of a county's municipalities: the county's 250 less what is shown is
    the municipalities the file does not have, so it gives the hidden cell back to nobody and
    stays shown; where the municipalities add up to the county, another one is hidden."""
    rows = [("30", "0", "T", 250.0), ("3001", "0", "T", 3.0)]
    found = kinds(suppress(cells(rows), "count", below=5))
    assert found == {("30", "0", "T"): None, ("3001", "0", "T"): PRIMARY}
    rows = [("30", "0", "T", 250.0), ("3001", "0", "T", 3.0), ("3002", "0", "T", 247.0)]
    found = kinds(suppress(cells(rows), "count", below=5))
    assert found[("3002", "0", "T")] == SECONDARY and found[("30", "0", "T")] is None


def test_a_group_with_a_cell_of_unknown_size_is_taken_to_add_up():
    rows = [("30", "0", "T", 250.0), ("3001", "0", "T", 3.0), ("3002", "0", "T", None)]
    found = kinds(suppress(cells(rows), "count", below=5))
    assert found[("30", "0", "T")] == SECONDARY


def test_secondary_suppression_follows_through_every_dimension():
    """Hiding a woman in one municipality hides a man there (gender), which hides another
    municipality's man (region), which hides that municipality's woman (gender) ..."""
    rows = []
    values = {"4601": (3.0, 50.0), "4602": (60.0, 70.0), "4603": (80.0, 90.0)}
    for code, (women, men) in values.items():
        rows += [(code, "2", "T", women), (code, "1", "T", men), (code, "0", "T", women + men)]
    women = sum(v[0] for v in values.values())
    men = sum(v[1] for v in values.values())
    rows += [("46", "2", "T", women), ("46", "1", "T", men), ("46", "0", "T", women + men)]
    frame = suppress(cells(rows), "count", below=5)
    assert_no_group_gives_a_cell_back(frame, age_total=None)
    found = kinds(frame)
    assert found[("4601", "2", "T")] == PRIMARY
    assert found[("4601", "1", "T")] == SECONDARY  # else 4601 total minus men
    assert found[("4602", "2", "T")] == SECONDARY  # else 46 women minus the others


def test_shares_are_protected_through_their_bases():
    rows = [("0", "0", "T", 10.0), ("0", "1", "T", 50.0), ("0", "2", "T", 9.0)]
    frame = suppress(cells(rows, base=[1003.0, 3.0, 1000.0]), "percent", below=5)
    assert frame.suppressed.tolist() == [None, PRIMARY, SECONDARY]


def test_a_group_with_only_the_hidden_cell_and_symbols_stays_as_it_is():
    rows = [("0", "0", "T", 3.0), ("0", "1", "T", None), ("0", "2", "T", None)]
    frame = suppress(cells(rows, symbol=[None, "..", ".."]), "count", below=5)
    assert frame.suppressed.tolist() == [PRIMARY, None, None]


def test_the_viewer_frame_of_a_partner_and_of_an_internal_role():
    frame = suppress(
        cells(
            [("0", "0", "T", 120.0), ("0", "1", "T", 3.0), ("0", "2", "T", 117.0)],
            base=[120.0, 3.0, 117.0],
        ),
        "count",
        below=5,
    )
    partner = viewer_frame(frame, internal=False)
    assert "suppressed" not in partner
    assert partner.value.tolist()[0] == 120.0
    assert partner.value[1:].isna().all() and partner.base[1:].isna().all()
    assert partner.symbol.tolist() == [None, SYMBOL, SYMBOL]
    internal = viewer_frame(frame, internal=True)
    assert internal.value.tolist() == [120.0, 3.0, 117.0]
    assert internal.suppressed.tolist() == [None, PRIMARY, SECONDARY]
    assert internal.symbol.tolist() == [None, None, None]


def assert_no_group_gives_a_cell_back(frame: pd.DataFrame, age_total: str | None) -> None:
    """No group of cells that add up (module docstring) has exactly one hidden cell."""
    hidden = frame.suppressed.notna()
    keyed = frame.assign(hidden=hidden, parent=frame.region.map(region_parent))
    checks = [
        (keyed[keyed.parent.notna()], ["parent", "gender", "age", "year"], "region"),
        (keyed, ["region", "age", "year"], "gender"),
    ]
    if age_total is not None:
        checks.append((keyed, ["region", "gender", "year"], "age"))
    for members_of, by, _ in checks:
        for key, group in members_of.groupby(by):
            if by[0] == "parent":
                parent, gender, age, year = key
                total = keyed[
                    (keyed.region == parent)
                    & (keyed.gender == gender)
                    & (keyed.age == age)
                    & (keyed.year == year)
                ]
                count = int(group.hidden.sum() + total.hidden.sum())
            else:
                count = int(group.hidden.sum())
            assert count != 1, (by, key, group)


def random_table(rng: random.Random) -> tuple[pd.DataFrame, str]:
    """A consistent table: municipalities in two counties, genders and ages, two years,
    every total the sum of its parts, small numbers sprinkled in."""
    municipalities = {"31": ["3101", "3103", "3105"], "46": ["4601", "4602"]}
    ages = ["15-19", "20-24", "25-29"]
    rows = []
    for year in ("2023", "2024"):
        leaf = {
            (code, gender, age): float(rng.choice([0, 1, 2, 3, 4, 6, 9, 20, 150]))
            for code in itertools.chain(*municipalities.values())
            for gender, age in itertools.product("12", ages)
        }
        regions = ["0", *municipalities, *itertools.chain(*municipalities.values())]
        for region, gender, age in itertools.product(regions, "012", [*ages, "15-29"]):
            total = sum(
                v
                for (c, g, a), v in leaf.items()
                if (region == "0" or c == region or c[:2] == region)
                and (gender == "0" or g == gender)
                and (age == "15-29" or a == age)
            )
            rows.append((region, gender, age, year, total))
    frame = pd.DataFrame(rows, columns=["region", "gender", "age", "year", "value"])
    frame["base"] = np.nan
    frame["symbol"] = None
    return frame, "15-29"


@pytest.mark.parametrize("seed", range(25))
def test_no_hidden_cell_is_left_alone_in_a_group(seed: int):
    """Property: for random tables, every cell below the threshold is hidden, no group of
    cells that add up has exactly one hidden cell, and a cell at or above the threshold is
    hidden only as secondary."""
    frame, age_total = random_table(random.Random(seed))
    found = suppress(frame, "count", below=5)
    assert_no_group_gives_a_cell_back(found, age_total)
    small = found.value < 5
    assert (found.suppressed[small] == PRIMARY).all()
    assert (found.suppressed[~small].dropna() == SECONDARY).all()
    # the input is left as it was
    assert "suppressed" not in frame


def test_a_cell_cannot_be_recomputed_by_a_partner_in_a_random_table():
    """What a partner downloads: for every hidden cell, no group gives it as total minus the
    shown cells (at least one other cell of every group it is in is hidden too)."""
    frame, age_total = random_table(random.Random(99))
    shown = viewer_frame(suppress(frame, "count", below=5), internal=False)
    assert shown.loc[shown.symbol == SYMBOL, "value"].isna().all()
    assert (shown.value.dropna() >= 5).all()
    again = shown.assign(suppressed=np.where(shown.symbol == SYMBOL, PRIMARY, None))
    assert_no_group_gives_a_cell_back(again, age_total)


def test_the_cells_as_text_for_a_partner_and_an_internal_role():
    from dashboard.ui.suppression import shown_cells

    frame = suppress(
        cells(
            [
                ("0", "0", "T", 120.0),
                ("0", "1", "T", 3.0),
                ("0", "2", "T", 117.0),
                ("03", "0", "T", None),
            ],
            symbol=[None, None, None, ".."],
        ),
        "count",
        below=5,
    )
    partner = shown_cells(viewer_frame(frame, internal=False), "count", "personer", "nb")
    assert partner == ["120 personer", ":", ":", ".."]
    internal = shown_cells(viewer_frame(frame, internal=True), "count", "personer", "nb")
    assert [c.replace("\u00a0", " ") for c in internal] == [
        "120 personer",
        "3 personer (skjult ved publisering)",
        "117 personer (skjult ved publisering)",
        "..",
    ]


@pytest.mark.parametrize(
    ("value", "measure", "internal", "lang", "shown"),
    [
        (3, "count", False, "nb", ":"),
        (3, "count", True, "nb", "3 personer (skjult ved publisering)"),
        (3, "count", True, "en", "3 personer (hidden when published)"),
        (0, "count", False, "nb", ":"),
        (5, "count", False, "nb", "5 personer"),
        (3, "percent", False, "nb", "3 %"),
        (None, "count", False, "nb", "–"),
    ],
)
def test_a_whole_country_value_as_a_reader_sees_it(value, measure, internal, lang, shown):
    from dashboard.ui.suppression import hidden_note, shown_value

    text = shown_value(value, measure, "personer", lang, internal=internal)
    assert text.replace("\u00a0", " ") == shown
    assert hidden_note("nb", internal=False) == (
        "«:» Skjult fordi tallet bygger på færre enn 5 personer."
    )
    assert "fewer than 5 people" in hidden_note("en", internal=False)
