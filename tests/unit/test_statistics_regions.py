"""SSB's region codes and the county reforms (dashboard.statistics.regions, issue 19): the 2024
split of Viken, Vestfold og Telemark and Troms og Finnmark, a renumbered municipality's series
kept whole, a former county shown under its own code and never split."""

import pandas as pd

from dashboard.statistics import regions


def test_the_2024_reform_splits_the_2020_counties_and_they_replaced_the_older_ones() -> None:
    assert regions.current_counties("30") == ("31", "32", "33")
    assert regions.current_counties("38") == ("39", "40")
    assert regions.current_counties("54") == ("55", "56")
    # 01 Østfold, 02 Akershus, 06 Buskerud became Viken in 2020, which is split now
    for old in ("01", "02", "06"):
        assert regions.COUNTIES[old].successors == ("30",)
        assert regions.current_counties(old) == ("31", "32", "33")
    assert regions.current_counties("16") == regions.current_counties("17") == ("50",)
    assert regions.current_counties("03") == ("03",)  # Oslo kept its code
    assert regions.predecessors("33") == ["30", "01", "02", "06"]
    assert regions.predecessors("40") == ["38", "07", "08"]
    assert regions.predecessors("03") == []
    assert [c.code for c in regions.CURRENT_COUNTIES] == [
        "03", "11", "15", "18", "31", "32", "33", "34", "39", "40", "42", "46", "50", "55", "56"
    ]  # fmt: skip


def test_codes_levels_and_names() -> None:
    assert regions.level("0") == "whole_country" and regions.level("K-3101") == "municipality"
    assert regions.level("32") == "county" and regions.level("EAK") == "other"
    assert regions.known("3101") and regions.known("3001") and regions.known("0301")
    assert not regions.known("7701") and not regions.known("77") and not regions.known("3100")
    assert regions.name("30") == "Viken (2020-2023)" and regions.name("32") == "Akershus"
    assert regions.name("01") == "Østfold (-2019)"
    # a former county stands right after the first current county its area lies in
    assert sorted(["32", "30", "31", "03"], key=regions.order) == ["03", "31", "30", "32"]


def test_a_renumbered_municipality_keeps_one_series_and_a_merged_county_is_not_split() -> None:
    """Halden was 3001 in 2020-2023 and is 3101 from 2024: one series under 3101, marked
    with the old code; SSB's «.» for the code not valid that year gives way to the number.
    Viken's figures stay under 30, not shared out among 31, 32 and 33."""
    frame = pd.DataFrame(
        {
            "region": ["3001", "3001", "3101", "3101", "30", "32"],
            "gender": ["0"] * 6,
            "age": ["15-29"] * 6,
            "year": [2023, 2024, 2023, 2024, 2023, 2024],
            "value": [5.9, None, None, 6.1, 250.0, 117.6],
            "base": [5.9, None, None, 6.1, 250.0, 117.6],
            "symbol": [None, ".", ".", None, None, None],
        }
    )
    placed = regions.place(frame)
    halden = placed[placed["place"] == "3101"].set_index("year")
    assert list(halden.index) == [2023, 2024]
    assert halden.loc[2023, "value"] == 5.9 and halden.loc[2023, "former_code"] == "3001"
    assert halden.loc[2024, "value"] == 6.1 and pd.isna(halden.loc[2024, "former_code"])
    assert set(halden["county"]) == {"31"}
    viken = placed[placed["region"] == "30"]
    assert list(viken["place"]) == ["30"] and list(viken["value"]) == [250.0]
    assert placed["value"].sum() == 5.9 + 6.1 + 250.0 + 117.6  # nothing invented, nothing lost


def test_ssb_s_dot_for_a_code_not_valid_that_year_gives_way_to_the_other_code_s_symbol() -> None:
    """Halden 2023 was confidential under its code then (3001, «:»); SSB gives 3101 «.» for
    2023 (no such code that year). The series shows «:», not «.» (logically impossible)."""
    frame = pd.DataFrame(
        {
            "region": ["3001", "3101", "3001", "3101"],
            "gender": ["0"] * 4,
            "age": ["15-29"] * 4,
            "year": [2023, 2023, 2024, 2024],
            "value": [None, None, None, None],
            "base": [None] * 4,
            "symbol": [":", ".", ".", ".."],
        }
    )
    halden = regions.place(frame).set_index("year")
    assert halden.loc[2023, "symbol"] == ":" and halden.loc[2023, "former_code"] == "3001"
    assert halden.loc[2024, "symbol"] == ".." and pd.isna(halden.loc[2024, "former_code"])
