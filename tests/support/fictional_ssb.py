"""Fictional files shaped like Statistics Norway's (SSB) output, made by the tests themselves.

Nothing here is SSB's data: the table id is 99999 (no such table), every title and label says
«fiktiv», and the numbers are made up. The shape follows PxWebApi v2's json-stat2 output
(dimensions Region, Kjonn, Alder, ContentsCode, Tid with SSB's codes, roles, the table id in
extension.px) and Statistikkbanken's CSV (a title line, then a column per dimension and the
values last, or a column per year).
"""

import itertools
import json
from collections.abc import Mapping, Sequence
from typing import Any

TABLE = "99999"
TITLE = f"{TABLE}: Fiktiv tabell – unge utenfor arbeid og utdanning (testdata, ikke SSB-tall)"
REGIONS = {
    "0": "Hele landet (fiktiv)",
    "03": "Oslo (fiktiv)",
    "0301": "Oslo kommune (fiktiv)",
    # the 2024 county reform: Viken (2020-2023) and Akershus (2024-), Halden under both codes
    "30": "Viken (fiktiv)",
    "32": "Akershus (fiktiv)",
    "3001": "Halden (2020-2023, fiktiv)",
    "3101": "Halden (fiktiv)",
    "7701": "Ingen slik kommune (fiktiv)",  # no county 77: an unknown code
}
SHARES = {"0": 1.0, "03": 0.2, "0301": 0.2, "30": 0.25, "32": 0.12, "3001": 0.006, "3101": 0.006}
GENDERS = {"0": "Begge kjønn", "1": "Menn", "2": "Kvinner"}
AGES = {"15-29": "15-29 år", "15-19": "15-19 år"}
CONTENTS = {"Personer": "Personer (fiktive)"}
# a share and the persons it is computed from (its denominator)
SHARE_CONTENTS = {"Andel": "Andel (fiktiv), prosent", "Personer": "Personer (fiktive)"}

# A county file across the 2024 reform, for the breakdown walks (AppTest and Chromium): Viken
# (30) until 2023, Akershus (32) from 2024, Halden under 3001 until 2023 and 3101 from 2024;
# SSB gives a code that was not valid that year the symbol «.»
REFORM_COUNTY_FILE: dict[str, Any] = dict(
    years=("2022", "2023", "2024"),
    regions=("0", "30", "32", "3001", "3101"),
    genders=("0", "1", "2"),
    ages=("15-29", "15-19"),
    statuses={
        **{
            (r, g, a, "2024"): "."
            for r in ("30", "3001")
            for g in "012"
            for a in ("15-29", "15-19")
        },
        **{
            (r, g, a, y): "."
            for r in ("32", "3101")
            for g in "012"
            for a in ("15-29", "15-19")
            for y in ("2022", "2023")
        },
        ("3101", "2", "15-19", "2024"): ":",
    },
)

# The made-up whole-country series: year -> value (None with a status symbol)
NATIONAL = {"2022": 1000.0, "2023": 990.0, "2024": 980.0, "2025": 970.0}


def _category(labels: Mapping[str, str]) -> dict[str, Any]:
    return {"index": {code: i for i, code in enumerate(labels)}, "label": dict(labels)}


def national_value(region: str, gender: str, age: str, year: str) -> float:
    """The made-up value of one cell: the whole-country series, less for parts of it."""
    base = NATIONAL.get(year, 1000.0)
    share = SHARES.get(region, 0.01) * {"0": 1.0, "1": 0.5, "2": 0.5}[gender]
    return round(base * share * (1.0 if age == "15-29" else 0.3), 1)


def jsonstat(
    years: Sequence[str] = tuple(NATIONAL),
    *,
    regions: Sequence[str] = ("0",),
    genders: Sequence[str] = ("0",),
    ages: Sequence[str] = ("15-29",),
    statuses: Mapping[tuple[str, str, str, str], str] | None = None,
    table: str = TABLE,
    contents: Mapping[str, str] = CONTENTS,
    shift: float = 0.0,
) -> dict[str, Any]:
    """A fictional json-stat2 dataset as PxWebApi v2 gives it: cells (region, gender, age,
    year) in statuses get that symbol and no number; shift is added to every number (a
    revised file). With SHARE_CONTENTS, Andel is a made-up share and Personer its base."""
    statuses = statuses or {}
    chosen = dict(contents)
    dims = {
        "Region": {code: REGIONS[code] for code in regions},
        "Kjonn": {code: GENDERS[code] for code in genders},
        "Alder": {code: AGES[code] for code in ages},
        "ContentsCode": chosen,
        "Tid": {year: year for year in years},
    }
    values: list[float | None] = []
    status: dict[str, str] = {}
    cells = itertools.product(regions, genders, ages, chosen, years)
    for position, (region, gender, age, content, year) in enumerate(cells):
        symbol = statuses.get((region, gender, age, year))
        if symbol is None and content == "Andel":
            values.append(round(10.0 + shift + SHARES.get(region, 0.01), 1))
        elif symbol is None:
            values.append(national_value(region, gender, age, year) + shift)
        else:
            values.append(None)
            status[str(position)] = symbol
    dataset: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "label": TITLE.replace(TABLE, table),
        "source": "Fiktiv kilde (testdata)",
        "updated": "2026-01-01T07:00:00Z",
        "id": list(dims),
        "size": [len(labels) for labels in dims.values()],
        "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
        "dimension": {
            "Region": {"label": "region", "category": _category(dims["Region"])},
            "Kjonn": {"label": "kjønn", "category": _category(dims["Kjonn"])},
            "Alder": {"label": "alder", "category": _category(dims["Alder"])},
            "ContentsCode": {
                "label": "statistikkvariabel",
                "category": _category(chosen)
                | {"unit": {code: {"base": "personer", "decimals": 0} for code in chosen}},
            },
            "Tid": {"label": "år", "category": _category(dims["Tid"])},
        },
        "extension": {"px": {"tableid": table, "decimals": 0, "language": "no"}},
        "value": values,
    }
    if status:
        dataset["status"] = status
    return dataset


def jsonstat_bytes(*args: Any, **kwargs: Any) -> bytes:
    return json.dumps(jsonstat(*args, **kwargs), ensure_ascii=False).encode("utf-8")


def csv_long(
    rows: Sequence[tuple[str, str, str, str, str]],
    *,
    title: bool = True,
    delimiter: str = ";",
    encoding: str = "utf-8",
) -> bytes:
    """A fictional CSV in Statistikkbanken's long layout: rows of (region, gender, age, year,
    value cell as written), cells with codes and texts."""
    lines = [f'"{TITLE}"', ""] if title else []
    headings = ["region", "kjønn", "alder", "statistikkvariabel", "år", TITLE]
    lines.append(delimiter.join(f'"{h}"' for h in headings))
    for region, gender, age, year, value in rows:
        cells = [
            f"{region} {REGIONS[region]}",
            f"{gender} {GENDERS[gender]}",
            f"{age} {AGES[age]}",
            "Personer (fiktive)",
            year,
        ]
        lines.append(delimiter.join([*(f'"{c}"' for c in cells), value]))
    return ("\n".join(lines) + "\n").encode(encoding)


def csv_wide(values: Mapping[str, str], *, region: str = "0") -> bytes:
    """A fictional CSV in the wide layout: one row, a column per year («Personer 2024»)."""
    headings = ["region", *(f"Personer {year}" for year in values)]
    row = [f"{region} {REGIONS[region]}", *values.values()]
    return (";".join(headings) + "\n" + ";".join(row) + "\n").encode("utf-8")
