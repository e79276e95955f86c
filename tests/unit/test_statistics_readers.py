"""Reading JSON-stat 2.0 and SSB's CSV (issue 19): the specification's own sample files
(tests/data/jsonstat, see its README) and fictional SSB-shaped files the tests make
(support.fictional_ssb) read to the expected frame; SSB's status symbols stay symbols."""

import json
from pathlib import Path
from typing import Any

import pytest
from support import fictional_ssb as fictional

from dashboard.i18n import catalogue
from dashboard.statistics.jsonstat import JsonStatRefused, read_jsonstat
from dashboard.statistics.ssb import (
    FRAME_COLUMNS,
    NO_NUMBER,
    SYMBOLS,
    StatisticsRefused,
    read_table,
    table_from_csv,
)

SAMPLES = Path(__file__).parents[1] / "data" / "jsonstat"


def sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.json").read_bytes()


# --- the specification's samples -------------------------------------------------------------


def test_order_json_lays_the_values_out_with_the_last_dimension_changing_fastest() -> None:
    """json-stat.org's order.json: each value names its own cell (A1B1C1, A1B1C2, ...). Cell 11
    says A1B1C4 in the sample itself (a slip in the file); it is read as written."""
    dataset = read_jsonstat(sample("order"))
    frame = dataset.frame
    assert list(frame.columns) == ["A", "B", "C", "value", "status"]
    assert len(frame) == 3 * 2 * 4
    for position, row in frame.iterrows():
        expected = f"A{row['A']}B{row['B']}C{row['C']}"
        assert row["value"] == ("A1B1C4" if position == 11 else expected)
    assert frame["status"].isna().all()


def test_oecd_json_reads_with_its_sparse_status_per_cell() -> None:
    dataset = read_jsonstat(sample("oecd"))
    frame = dataset.frame
    assert [d.id for d in dataset.dimensions] == ["concept", "area", "year"]
    assert len(frame) == 1 * 36 * 12
    assert dataset.roles == {"time": ["year"], "geo": ["area"], "metric": ["concept"]}
    first = frame.iloc[0]
    assert (first["area"], first["year"], first["value"], first["status"]) == (
        "AU",
        "2003",
        5.943826289,
        None,
    )
    # status {"10": "e", "11": "e", ...}: the estimates of 2013 and 2014, cell by cell
    assert frame.loc[10, ["area", "year", "status"]].tolist() == ["AU", "2013", "e"]
    assert frame.loc[11, "status"] == "e" and frame.loc[12, "status"] is None
    assert set(frame[frame["status"] == "e"]["year"]) == {"2013", "2014"}
    assert dataset.dimension("area").label_of("AU") == "Australia"


def test_canada_json_gives_its_one_status_to_every_cell() -> None:
    """canada.json has "status": ["a"]: one status for all cells, as the specification says."""
    dataset = read_jsonstat(sample("canada"))
    frame = dataset.frame
    assert [d.id for d in dataset.dimensions] == ["country", "year", "age", "concept", "sex"]
    assert len(frame) == 120 and set(frame["status"]) == {"a"}
    total = frame[(frame["age"] == "T") & (frame["concept"] == "POP") & (frame["sex"] == "T")]
    assert total["value"].tolist() == [34880.5]


def test_galicia_json_with_six_dimensions_and_two_geographic_roles() -> None:
    dataset = read_jsonstat(sample("galicia"))
    assert [d.id for d in dataset.dimensions] == [
        "birth",
        "age",
        "gender",
        "time",
        "residence",
        "concept",
    ]
    assert len(dataset.frame) == 6 * 22 * 3 * 2 * 5 * 1
    assert dataset.roles["geo"] == ["residence", "birth"]
    assert dataset.frame.iloc[0]["value"] == 2695880
    assert dataset.frame.iloc[0][["birth", "age", "gender", "time"]].tolist() == [
        "T",
        "T",
        "T",
        "2001",
    ]


def _oecd() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(sample("oecd"))
    return document


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d.pop("value"), "schema"),
        (lambda d: d.update(value="many"), "schema"),
        (lambda d: d.update(status=[1, 2]), "schema"),
        (lambda d: d.update(size=[1, 36]), "sizes"),
        (lambda d: d.update(size=[1, 36, 11]), "categories"),
        (lambda d: d["value"].pop(), "value_count"),
        (lambda d: d.update(status={"999": "e"}), "value_position"),
        (lambda d: d.update({"class": "collection"}), "not_dataset"),
        (lambda d: d.update(version="1.0"), "not_dataset"),
        (lambda d: d["dimension"]["area"]["category"].pop("index"), "index"),
    ],
)
def test_what_is_not_a_json_stat_dataset_is_refused_naming_why(change: Any, code: str) -> None:
    document = _oecd()
    change(document)
    with pytest.raises(JsonStatRefused) as refused:
        read_jsonstat(json.dumps(document))
    assert refused.value.code == code


def test_a_small_file_naming_more_cells_than_are_read_is_refused_before_they_are_made() -> None:
    """Sparse values let a few KB name a million cells: refused from the sizes alone."""
    codes = {f"k{n}": n for n in range(1000)}
    document = {
        "version": "2.0",
        "class": "dataset",
        "id": ["a", "b"],
        "size": [1000, 1000],
        "dimension": {d: {"category": {"index": codes}} for d in ("a", "b")},
        "value": {"0": 1},
    }
    with pytest.raises(JsonStatRefused) as refused:
        read_jsonstat(json.dumps(document))
    assert refused.value.code == "too_many_cells"
    assert refused.value.values == {"cells": 1_000_000, "max": 600_000}


def test_text_that_is_not_json_is_refused() -> None:
    with pytest.raises(JsonStatRefused, match="not_json"):
        read_jsonstat(b"{ not json")
    with pytest.raises(StatisticsRefused) as refused:
        read_table("fiktiv.json", b"{ not json")
    assert refused.value.code == "jsonstat_not_json"


def test_json_s_nan_and_infinity_are_no_numbers_and_deep_nesting_is_refused() -> None:
    """Python reads NaN and Infinity, which JSON has not: a file with them is refused rather
    than an infinite number stored; a file nested deeper than Python recurses is refused as
    not JSON, not a crash."""
    document = fictional.jsonstat(("2024",), regions=("0",))
    text = json.dumps(document)
    first = json.dumps(document["value"][0])
    for constant in ("Infinity", "-Infinity", "NaN"):
        with pytest.raises(StatisticsRefused) as refused:
            read_table("fiktiv.json", text.replace(f"[{first}", f"[{constant}", 1).encode())
        assert refused.value.code == "jsonstat_not_json"
    with pytest.raises(StatisticsRefused) as refused:
        read_table("fiktiv.json", b"[" * 100_000 + b"]" * 100_000)
    assert refused.value.code == "jsonstat_not_json"


# --- fictional SSB files ---------------------------------------------------------------------


def test_a_fictional_ssb_json_stat_file_reads_to_the_frame() -> None:
    statuses = {("0", "0", "15-29", "2023"): "..", ("03", "2", "15-29", "2022"): ":"}
    data = fictional.jsonstat_bytes(
        regions=("0", "03", "0301"), genders=("0", "1", "2"), statuses=statuses
    )
    table = read_table("fiktiv-99999.json", data)
    frame = table.frame
    assert (table.table_id, table.title) == (fictional.TABLE, fictional.TITLE)
    assert "fiktiv" in (table.title or "").casefold()
    assert list(frame.columns) == FRAME_COLUMNS and len(frame) == 3 * 3 * 4
    whole = frame[(frame["region"] == "0") & (frame["gender"] == "0")]
    assert whole[["year", "value", "status"]].values.tolist() == [
        [2022, 1000.0, None],
        [2023, None, ".."],
        [2024, 980.0, None],
        [2025, 970.0, None],
    ]
    assert set(whole["region_label"]) == {"Hele landet (fiktiv)"}
    suppressed = frame[frame["status"] == ":"]
    assert suppressed[["region", "gender", "year", "value"]].values.tolist() == [
        ["03", "2", 2022, None]
    ]
    assert set(frame["contents"]) == {"Personer"} and set(frame["age"]) == {"15-29"}


def test_a_fictional_ssb_csv_in_the_long_layout_reads_to_the_same_frame() -> None:
    rows = [
        ("0", "0", "15-29", "2022", "1000"),
        ("0", "0", "15-29", "2023", '".."'),
        ("03", "2", "15-29", "2022", '":"'),
        ("0301", "1", "15-19", "2024", "12,5"),
        ("0", "0", "15-29", "2025", "1 970*"),
        ("0", "0", "15-29", "2026", '"-"'),
        ("0", "0", "15-29", "2027", '"."'),
    ]
    table = read_table("fiktiv-99999.csv", fictional.csv_long(rows))
    frame = table.frame
    assert table.table_id == fictional.TABLE
    assert frame[["region", "gender", "age", "year", "value", "status"]].values.tolist() == [
        ["0", "0", "15-29", 2022, 1000.0, None],
        ["0", "0", "15-29", 2023, None, ".."],
        ["03", "2", "15-29", 2022, None, ":"],
        ["0301", "1", "15-19", 2024, 12.5, None],
        ["0", "0", "15-29", 2025, 1970.0, "*"],
        ["0", "0", "15-29", 2026, None, "-"],
        ["0", "0", "15-29", 2027, None, "."],
    ]
    assert frame["region_label"].tolist()[:3] == [
        "Hele landet (fiktiv)",
        "Hele landet (fiktiv)",
        "Oslo (fiktiv)",
    ]


def test_a_comma_separated_windows_1252_csv_without_title_reads_too() -> None:
    rows = [("0", "0", "15-29", "2022", "1000.5")]
    data = fictional.csv_long(rows, title=False, delimiter=",", encoding="cp1252")
    frame = table_from_csv(data).frame
    assert frame[["region", "gender", "year", "value"]].values.tolist() == [
        ["0", "0", 2022, 1000.5]
    ]


def test_a_csv_with_a_column_per_year_reads_to_one_row_per_year() -> None:
    table = table_from_csv(fictional.csv_wide({"2022": "1000", "2023": "..", "2024": "-"}))
    frame = table.frame
    assert frame[["region", "year", "contents", "value", "status"]].values.tolist() == [
        ["0", 2022, "Personer", 1000.0, None],
        ["0", 2023, "Personer", None, ".."],
        ["0", 2024, "Personer", None, "-"],
    ]


@pytest.mark.parametrize("symbol", sorted(NO_NUMBER))
def test_a_status_symbol_is_never_a_number_even_beside_one(symbol: str) -> None:
    """SSB's «-» is «Null» (nothing to report), «..» data not available, and so on: the cell
    keeps the symbol and no number, whatever number a file puts beside it (never 0)."""
    data = fictional.jsonstat(years=("2022",))
    data["status"] = {"0": symbol}  # the value 1000.0 stays in the file
    frame = read_table("fiktiv.json", json.dumps(data).encode()).frame
    assert frame[["value", "status"]].values.tolist() == [[None, symbol]]
    csv = read_table("fiktiv.csv", fictional.csv_long([("0", "0", "15-29", "2022", symbol)]))
    assert csv.frame[["value", "status"]].values.tolist() == [[None, symbol]]


def test_every_symbol_has_its_meaning_in_both_languages() -> None:
    for lang in ("nb", "en"):
        for meaning in SYMBOLS.values():
            assert f"statistics.symbol.{meaning}" in catalogue(lang)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b'"region";"verdi"\n"0 Hele landet";"mange"\n', "csv_value"),
        (b'"region";"verdi"\n"0 Hele landet";"1";"2"\n', "csv_ragged"),
        (b'"region";"verdi"\n', "csv_no_rows"),
        (b"\x00\x01\x02", "csv_binary"),
    ],
)
def test_a_csv_that_cannot_be_read_is_refused_naming_why(data: bytes, code: str) -> None:
    with pytest.raises(StatisticsRefused) as refused:
        read_table("fiktiv.csv", data)
    assert refused.value.code == code


def test_only_json_and_csv_files_are_read() -> None:
    with pytest.raises(StatisticsRefused) as refused:
        read_table("fiktiv.xlsx", b"PK\x03\x04")
    assert refused.value.code == "file_type"
