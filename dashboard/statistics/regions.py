"""Norway's regions in SSB's standard codes, and the county reforms' code changes.

Source: Statistics Norway's classifications in KLASS, «Standard for fylkesinndeling»
(classification 104) and «Standard for kommuneinndeling» (classification 131), with their
versions valid from 1 January 2018 (Trøndelag), 2020 and 2024, as the author of this module
knows them (written by hand, not fetched: the machine that wrote it reached no internet).

- "0" is the whole country (Hele landet); two digits a county (fylke); four digits a
  municipality (kommune), whose first two digits are the county it belonged to when its code
  was given. SSB's CSV sometimes writes "K-3101" and "F-31": the prefix is dropped.
- On 1 January 2024 Viken (30) split into Østfold (31), Akershus (32) and Buskerud (33),
  Vestfold og Telemark (38) into Vestfold (39) and Telemark (40), Troms og Finnmark (54) into
  Troms (55) and Finnmark (56); their municipalities got codes under the new counties
  (3001 Halden became 3101 Halden). The 2020-2023 codes 30, 38 and 54 had replaced 01, 02,
  06; 07, 08; 19, 20 (and Oppland 05 and Hedmark 04 became Innlandet 34, the Agder counties
  09, 10 became Agder 42, Hordaland 12 and Sogn og Fjordane 14 Vestland 46); Sør- and
  Nord-Trøndelag (16, 17) became Trøndelag (50) in 2018.

How a series is kept whole (and no number invented): a municipality whose code changed and
nothing else (MUNICIPALITY_CHANGES: the same municipality, a new number) is shown under its
new code, marked with the old one. A county is never renumbered alone: each change merged or
split counties, and a merged county's value cannot be split. So a county's earlier codes are
shown beside it under the code they had, marked as former (Viken 2020-2023 beside Akershus),
and nothing is summed or shared out.

MUNICIPALITY_CHANGES holds only the 2024 renumberings of municipalities this module's author is
sure of; a code missing from it still shows, under its own code and its county of the time,
marked as a former code. Adding a line adds a municipality's continuity.
"""

from dataclasses import dataclass

import pandas as pd

WHOLE_COUNTRY = "0"


@dataclass(frozen=True)
class County:
    """A county code: its name and the years it was valid (to None: still valid)."""

    code: str
    name: str
    valid_from: int | None
    valid_to: int | None = None
    successors: tuple[str, ...] = ()  # the codes that took over its area

    @property
    def current(self) -> bool:
        return self.valid_to is None


def _county(
    code: str, name: str, start: int | None, end: int | None = None, *after: str
) -> tuple[str, County]:
    return code, County(code, name, start, end, after)


COUNTIES: dict[str, County] = dict(
    [
        # before 2020 (KLASS 104, version valid to 31.12.2019)
        _county("01", "Østfold", None, 2019, "30"),
        _county("02", "Akershus", None, 2019, "30"),
        _county("04", "Hedmark", None, 2019, "34"),
        _county("05", "Oppland", None, 2019, "34"),
        _county("06", "Buskerud", None, 2019, "30"),
        _county("07", "Vestfold", None, 2019, "38"),
        _county("08", "Telemark", None, 2019, "38"),
        _county("09", "Aust-Agder", None, 2019, "42"),
        _county("10", "Vest-Agder", None, 2019, "42"),
        _county("12", "Hordaland", None, 2019, "46"),
        _county("14", "Sogn og Fjordane", None, 2019, "46"),
        _county("16", "Sør-Trøndelag", None, 2017, "50"),
        _county("17", "Nord-Trøndelag", None, 2017, "50"),
        _county("19", "Troms", None, 2019, "54"),
        _county("20", "Finnmark", None, 2019, "54"),
        # 2020-2023
        _county("30", "Viken", 2020, 2023, "31", "32", "33"),
        _county("38", "Vestfold og Telemark", 2020, 2023, "39", "40"),
        _county("54", "Troms og Finnmark", 2020, 2023, "55", "56"),
        # valid now (from 1 January 2024); 03, 11, 15, 18 kept their codes throughout
        _county("03", "Oslo", None),
        _county("11", "Rogaland", None),
        _county("15", "Møre og Romsdal", None),
        _county("18", "Nordland", None),
        _county("31", "Østfold", 2024),
        _county("32", "Akershus", 2024),
        _county("33", "Buskerud", 2024),
        _county("34", "Innlandet", 2020),
        _county("39", "Vestfold", 2024),
        _county("40", "Telemark", 2024),
        _county("42", "Agder", 2020),
        _county("46", "Vestland", 2020),
        _county("50", "Trøndelag", 2018),
        _county("55", "Troms", 2024),
        _county("56", "Finnmark", 2024),
        # outside the counties, in SSB's tables
        _county("21", "Svalbard", None),
        _county("22", "Jan Mayen", None),
        _county("23", "Kontinentalsokkelen", None),
        _county("99", "Uoppgitt", None),
    ]
)
OUTSIDE_COUNTIES = frozenset({"21", "22", "23", "99"})
CURRENT_COUNTIES = [c for c in COUNTIES.values() if c.current and c.code not in OUTSIDE_COUNTIES]

# 2024: the same municipality, a new code (KLASS 131), old -> new
MUNICIPALITY_CHANGES: dict[str, str] = {
    "3001": "3101",  # Halden
    "3002": "3103",  # Moss
    "3003": "3105",  # Sarpsborg
    "3004": "3107",  # Fredrikstad
    "3024": "3201",  # Bærum
    "3025": "3203",  # Asker
    "3030": "3205",  # Lillestrøm
    "3005": "3301",  # Drammen
    "3006": "3303",  # Kongsberg
    "3007": "3305",  # Ringerike
    "3801": "3901",  # Horten
    "3802": "3903",  # Holmestrand
    "3803": "3905",  # Tønsberg
    "3804": "3907",  # Sandefjord
    "3805": "3909",  # Larvik
    "3806": "4001",  # Porsgrunn
    "3807": "4003",  # Skien
    "5401": "5501",  # Tromsø
    "5402": "5503",  # Harstad
}


def normal(code: str | None) -> str | None:
    """A region code without SSB's "K-"/"F-" prefix (None stays None)."""
    if code is None:
        return None
    text = str(code).strip()
    for prefix in ("K-", "F-"):
        text = text.removeprefix(prefix)
    return text


def level(code: str | None) -> str:
    """whole_country, county, municipality or other."""
    text = normal(code)
    if text is None or text == WHOLE_COUNTRY:
        return "whole_country"
    if text.isdigit() and len(text) == 2:
        return "county"
    if text.isdigit() and len(text) == 4:
        return "municipality"
    return "other"


def known(code: str | None) -> bool:
    """Whether the code is one of SSB's standard region codes: the whole country, a county of
    any version, or a municipality (four digits) of such a county."""
    text = normal(code)
    kind = level(text)
    if kind == "whole_country":
        return True
    if kind == "county":
        return text in COUNTIES
    if kind == "municipality":
        assert text is not None
        return text[:2] in COUNTIES and text[2:] != "00"
    return False


def county_of(code: str) -> str | None:
    """The county code a county or municipality code belongs to (as numbered then)."""
    text = normal(code) or ""
    kind = level(text)
    if kind == "county":
        return text
    if kind == "municipality":
        return text[:2]
    return None


def current_municipality(code: str) -> str:
    """A municipality's code now: its 2024 code when only the number changed."""
    text = normal(code) or ""
    return MUNICIPALITY_CHANGES.get(text, text)


def current_counties(code: str) -> tuple[str, ...]:
    """The current counties a county code's area lies in now (itself when still valid)."""
    county = COUNTIES.get(code)
    if county is None or county.current:
        return (code,)
    found: list[str] = []
    for successor in county.successors:
        for now in current_counties(successor):
            if now not in found:
                found.append(now)
    return tuple(found)


def predecessors(current: str) -> list[str]:
    """The former county codes whose area lies (partly) in a current county, newest first:
    Buskerud 33 -> [30 Viken, 06 Buskerud]."""
    found = [c for c in COUNTIES.values() if not c.current and current in current_counties(c.code)]
    return [c.code for c in sorted(found, key=lambda c: -(c.valid_to or 0))]


def name(code: str | None) -> str:
    """A county's name with its years when it is a former one («Viken (2020-2023)»), the code
    itself for any other region."""
    text = normal(code) or ""
    county = COUNTIES.get(text)
    if county is None:
        return text
    if county.current:
        return county.name
    start = f"{county.valid_from}" if county.valid_from else ""
    return f"{county.name} ({start}-{county.valid_to})"


def order(code: str) -> tuple[str, int, str]:
    """Where a county stands in a list: a former county right after the first current county
    its area lies in (Viken after Østfold), the current ones by code."""
    county = COUNTIES.get(code)
    if county is None or county.current:
        return (code, 0, code)
    return (current_counties(code)[0], 1, code)


def place(frame: pd.DataFrame, *, dedupe: bool = True) -> pd.DataFrame:
    """The cells (a region column of SSB codes) with where each is shown: place (the code now:
    a renumbered municipality's 2024 code), former_code (the file's code when it was
    renumbered, else None), county (the county of place; "0" for the whole country) and level.

    A municipality under both its old and its new code in one file (SSB gives the code that
    was not valid that year the symbol «.») keeps the cell with a number, else one with another
    symbol than «.» (a «:» or «..» of the code valid then), else its own code's (keep_one;
    dedupe=False keeps both, for small-number suppression to see each in its group first).
    """
    shown, former, county, kind = {}, {}, {}, {}
    for code in pd.unique(frame["region"]):
        kind[code] = level(code)
        now = current_municipality(code) if kind[code] == "municipality" else normal(code) or ""
        shown[code], former[code] = now, (code if now != code else None)
        county[code] = WHOLE_COUNTRY if kind[code] == "whole_country" else county_of(now)
    region = frame["region"]
    placed = frame.assign(
        place=region.map(shown),
        former_code=region.map(former),
        county=region.map(county),
        level=region.map(kind),
    )
    return keep_one(placed) if dedupe else placed


def keep_one(placed: pd.DataFrame) -> pd.DataFrame:
    """The placed cells (place) with one cell per place, gender, age and year (place's
    docstring), in their order."""
    if not placed["former_code"].notna().any():
        return placed
    observed = placed["symbol"].astype(object).ne(".")  # «.»: no such code that year
    rank = (
        placed["value"].notna().astype(int) * 4
        + observed.astype(int) * 2
        + placed["former_code"].isna().astype(int)
    )
    placed = placed.assign(_rank=rank).sort_values("_rank", kind="stable")
    placed = placed.drop_duplicates(["place", "gender", "age", "year"], keep="last")
    return placed.drop(columns=["_rank"]).sort_index()
