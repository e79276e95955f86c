"""Import of indicator values: the template, the upload checks, the dry run, the one commit.

Reading files needs no database; everything that checks or writes rows runs on SQLite and
PostgreSQL, including an import killed midway, which must leave every table as it was.
"""

import csv
import datetime as dt
import io
import os
import random
import signal
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from test_permissions import rows

from dashboard.db import session_scope
from dashboard.i18n import catalogue
from dashboard.i18n.validation import describe
from dashboard.services.exports import to_csv, to_excel
from dashboard.services.imports.run import (
    OUTCOMES,
    PROBLEMS,
    ImportCheck,
    ImportRefused,
    ImportStale,
    Versions,
    commit_import,
    dry_run,
)
from dashboard.services.imports.upload import (
    MAX_BYTES,
    MAX_ROWS,
    REFUSALS,
    UploadRefused,
    read_upload,
    template,
)
from dashboard.services.missions import set_role
from dashboard.services.periods import set_period_locked
from dashboard.services.permissions import ANONYMOUS, Actor, PermissionDenied
from dashboard.services.reporting import approve_value, save_value, submit_value
from models import (
    AuditEvent,
    EntryStatus,
    Indicator,
    IndicatorValue,
    Measure,
    Mission,
    Organisation,
    Period,
    Role,
    User,
)

HEADER = ["indikator", "periode", "verdi", "kommentar", "kildemerknad"]


@dataclass
class Setup:
    """A mission with Udir's four counts and one percentage and NAV's count; 2025 open, 2024
    locked; one person per role."""

    engine: Engine
    mission: int
    period: int
    actors: dict[str, Actor]

    def value(self, code: str, period: str = "2025") -> IndicatorValue | None:
        with Session(self.engine) as session:
            return session.exec(
                select(IndicatorValue)
                .join(Indicator, col(Indicator.id) == IndicatorValue.indicator_id)
                .join(Period, col(Period.id) == IndicatorValue.period_id)
                .where(Indicator.code == code, Period.label == period)
            ).first()

    def number(self, code: str) -> float | None:
        stored = self.value(code)
        return None if stored is None else stored.value

    def indicator(self, code: str) -> int:
        with Session(self.engine) as session:
            found = session.exec(select(Indicator.id).where(Indicator.code == code)).one()
            assert found is not None
            return found

    def check(self, who: str, data: bytes, name: str = "verdier.csv") -> ImportCheck:
        return dry_run(self.actors[who], self.mission, read_upload(name, data), engine=self.engine)

    def commit(
        self, who: str, data: bytes, name: str = "verdier.csv", expected: Versions | None = None
    ) -> dict[str, int]:
        """Import data, expecting what expected says is stored (None: what a dry run just
        before finds, as when a person confirms the dry run at once)."""
        frame = read_upload(name, data)
        if expected is None:
            expected = self.check(who, data, name).versions()
        return commit_import(
            self.actors[who],
            self.mission,
            frame,
            source=name,
            expected=expected,
            engine=self.engine,
        )


@pytest.fixture
def setup(engine: Engine) -> Setup:
    with session_scope(write=True, engine=engine) as session:
        udir = Organisation(key="Udir", short_name="Udir", name="Utdanningsdirektoratet")
        nav = Organisation(key="NAV", short_name="NAV", name="Arbeids- og velferdsetaten")
        mission = Mission(key="m", title="Oppdraget")
        session.add_all([udir, nav, mission])
        session.flush()
        assert mission.id is not None
        for code in ("C1", "C2", "C3", "C4"):
            session.add(
                Indicator(
                    mission_id=mission.id,
                    code=code,
                    name=f"Antall {code}",
                    responsible_org_id=udir.id,
                )
            )
        session.add(
            Indicator(
                mission_id=mission.id,
                code="P",
                name="Andel i Tromsø",
                unit="prosent",
                measure=Measure.PERCENT,
                responsible_org_id=udir.id,
            )
        )
        session.add(
            Indicator(mission_id=mission.id, code="N", name="NAVs tall", responsible_org_id=nav.id)
        )
        period = Period(
            mission_id=mission.id,
            label="2025",
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
        )
        locked = Period(
            mission_id=mission.id,
            label="2024",
            start=dt.date(2024, 1, 1),
            end=dt.date(2024, 12, 31),
            locked=True,
        )
        session.add_all([period, locked])
        people = {
            "udir_a": (Role.OPERATIVE, udir.id),
            "udir_b": (Role.OPERATIVE, udir.id),
            "nav": (Role.OPERATIVE, nav.id),
            "homeless": (Role.OPERATIVE, None),
            "steering": (Role.STEERING, None),
            "admin": (Role.ADMIN, None),
            "partner": (Role.PARTNER, udir.id),
        }
        actors = {}
        for name, (role, org) in people.items():
            user = User(email=f"{name}@example.no", name=name, organisation_id=org)
            session.add(user)
            session.flush()
            assert user.id is not None and mission.id is not None
            set_role(session, user.id, mission.id, role)
            actors[name] = Actor(user.id, user.email, role, org, mission.id)
        session.flush()
        assert mission.id and period.id
        return Setup(engine, mission.id, period.id, actors | {"anonymous": ANONYMOUS})


def csv_bytes(
    lines: list[list[str]],
    *,
    sep: str = ";",
    bom: bool = True,
    encoding: str = "utf-8",
    header: list[str] = HEADER,
) -> bytes:
    """A CSV file as a spreadsheet would save it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerows([header, *lines])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode(encoding)


def xlsx_bytes(lines: list[list[object]], header: list[str] = HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for line in [header, *lines]:
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def outcomes(check: ImportCheck) -> dict[int, str]:
    return {row.row: row.outcome for row in check.rows}


def dump(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, as text, in a stable order."""
    tables = {}
    with engine.connect() as conn:
        for name in sorted(sa.inspect(conn).get_table_names()):
            table = sa.Table(name, sa.MetaData(), autoload_with=conn)
            tables[name] = sorted(repr(tuple(row)) for row in conn.execute(sa.select(table)))
    return tables


# --- reading files (no database) -------------------------------------------------------------


LINES = [["C1", "2025", "1 000", "Bærum og Tromsø", "SSB"], ["P", "2025", "12,5 %", "", ""]]


@pytest.mark.parametrize(
    ("sep", "bom", "encoding"),
    [
        (";", True, "utf-8"),
        (";", False, "utf-8"),
        (",", True, "utf-8"),
        (",", False, "utf-8"),
        (";", False, "cp1252"),  # Excel's "CSV (semikolonseparert)" on Norwegian Windows
    ],
)
def test_csv_in_utf8_or_windows_1252_with_semicolons_or_commas(
    sep: str, bom: bool, encoding: str
) -> None:
    frame = read_upload("verdier.csv", csv_bytes(LINES, sep=sep, bom=bom, encoding=encoding))
    assert list(frame.index) == [2, 3]  # the spreadsheet's row numbers
    assert list(frame["indikator"]) == ["C1", "P"]
    assert list(frame["verdi"]) == ["1 000", "12,5 %"]
    assert frame.loc[2, "kommentar"] == "Bærum og Tromsø"


@pytest.mark.parametrize("encoding", ["cp850", "mac_roman", "utf-16"])
def test_csv_in_another_encoding_is_refused_rather_than_read_with_wrong_letters(
    encoding: str,
) -> None:
    data = csv_bytes([["C1", "2025", "1", "Smøla, Åfjord og Ærø", ""]], bom=False)
    data = data.decode("utf-8").encode(encoding)
    with pytest.raises(UploadRefused) as refused:
        read_upload("verdier.csv", data)
    assert refused.value.code == "encoding"


def test_headings_in_any_case_with_english_names_and_reader_columns() -> None:
    header = ["Indikator", "NAVN", "Period", "Value", "Kilde", "enhet"]
    frame = read_upload(
        "v.csv", csv_bytes([["C1", "Antall", "2025", "3", "SSB", ""]], header=header)
    )
    assert frame.loc[2, "verdi"] == "3" and frame.loc[2, "kildemerknad"] == "SSB"


def test_xlsx_keeps_letters_numbers_and_row_numbers() -> None:
    lines: list[list[object]] = [
        ["C1", 2025, 1234.5, "Smøla, Åfjord og Ærø", None],
        [None, None, None, None, None],  # a blank row is dropped, the numbering kept
        ["P", "2025", "12 %", "«sitat» – ja", "SSB"],
    ]
    frame = read_upload("Verdier.XLSX", xlsx_bytes(lines))
    assert list(frame.index) == [2, 4]
    assert frame.loc[2, "verdi"] == 1234.5 and frame.loc[2, "periode"] == 2025
    assert frame.loc[2, "kommentar"] == "Smøla, Åfjord og Ærø"
    assert frame.loc[4, "kommentar"] == "«sitat» – ja"


def zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "ikke en arbeidsbok")
    return buffer.getvalue()


def exe_like() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 64


GOOD = csv_bytes([["C1", "2025", "1", "", ""]])
REFUSED = [
    ("verdier.exe", exe_like(), "file_type"),
    ("verdier.xls", GOOD, "file_type"),
    ("verdier.txt", GOOD, "file_type"),
    ("verdier", GOOD, "file_type"),
    ("verdier.csv", b"", "empty"),
    ("verdier.csv", GOOD + b" " * MAX_BYTES, "too_large"),
    ("verdier.xlsx", GOOD, "not_xlsx"),  # a CSV renamed
    ("verdier.xlsx", exe_like(), "not_xlsx"),  # a program renamed
    ("verdier.xlsx", zip_without_workbook(), "not_xlsx"),
    ("verdier.xlsx", xlsx_bytes([])[:-200], "not_xlsx"),  # cut short
    ("verdier.csv", exe_like(), "binary"),
    ("verdier.csv", random.Random(4).randbytes(5000), "binary"),
    ("verdier.csv", xlsx_bytes([["C1", "2025", "1"]]), "binary"),  # a workbook named .csv
    ("verdier.csv", csv_bytes([], header=["indikator", "periode", "verdi"]), "no_rows"),
    (
        "verdier.csv",
        csv_bytes([["C1", "2025"]], header=["indikator", "periode"]),
        "missing_columns",
    ),
    (
        "verdier.csv",
        csv_bytes([["C1", "2025", "1", "x"]], header=[*HEADER[:3], "merknad"]),
        "unknown_columns",
    ),
    (
        "verdier.csv",
        csv_bytes([["C1", "2025", "1", "2"]], header=[*HEADER[:3], "Verdi"]),
        "duplicate_columns",
    ),
    (
        "verdier.csv",
        csv_bytes([["C1", "2025", "1", "x"]], header=[*HEADER[:3], ""]),
        "unnamed_column",
    ),
    ("verdier.csv", b"indikator,periode,verdi\r\nC1,2025,1,5\r\n", "ragged"),  # decimal comma
    ("verdier.csv", b'indikator;periode;verdi\r\nC1;2025;"1\r\n', "csv_format"),
    (
        "verdier.csv",
        csv_bytes([["C1", "2025", "1"]] * (MAX_ROWS + 1), header=HEADER[:3]),
        "too_many_rows",
    ),
]


@pytest.mark.parametrize(("name", "data", "code"), REFUSED)
def test_files_that_cannot_be_used_are_refused_with_a_reason(
    name: str, data: bytes, code: str
) -> None:
    with pytest.raises(UploadRefused) as refused:
        read_upload(name, data)
    assert refused.value.code == code
    for lang in ("nb", "en"):  # every refusal has a message that takes its values
        catalogue(lang)[f"import.refused.{code}"].format(**refused.value.values)


def test_every_code_has_a_message_in_both_languages() -> None:
    keys = [f"import.outcome.{c}" for c in OUTCOMES]
    keys += [f"import.problem.{c}" for c in PROBLEMS] + [f"import.refused.{c}" for c in REFUSALS]
    for lang in ("nb", "en"):
        assert [key for key in keys if key not in catalogue(lang)] == []


# --- the template ----------------------------------------------------------------------------


def test_template_lists_the_indicators_in_scope_with_what_is_stored(setup: Setup) -> None:
    save_value(
        setup.actors["udir_a"],
        setup.indicator("C2"),
        setup.period,
        {"value": "1 234,5", "comment": "Økning i Bodø"},
        version=None,
        engine=setup.engine,
    )
    with Session(setup.engine) as session:
        everything = template(session, setup.mission, setup.period)
        udir = template(
            session, setup.mission, setup.period, setup.actors["udir_a"].organisation_id
        )
    assert list(everything.columns) == [
        "indikator", "navn", "enhet", "periode", "verdi", "kommentar", "kildemerknad",
        "begrunnelse",
    ]  # fmt: skip
    assert list(everything["indikator"]) == ["C1", "C2", "C3", "C4", "N", "P"]
    assert list(udir["indikator"]) == ["C1", "C2", "C3", "C4", "P"]
    assert set(udir["periode"]) == {"2025"}
    row = udir.set_index("indikator").loc["C2"]
    assert (row["verdi"], row["kommentar"]) == (1234.5, "Økning i Bodø")


def test_template_round_trip_through_csv_and_excel_is_all_unchanged(setup: Setup) -> None:
    a = setup.actors["udir_a"]
    for code, entered in {
        "C1": {"value": "1 000", "comment": '=HYPERLINK("http://x.invalid","klikk")'},
        "C2": {"value": "0,125", "comment": "-3 fra i fjor", "source_note": "@SSB"},
        "P": {"value": "12 %", "comment": "Tromsø, Bodø og Ålesund"},
    }.items():
        save_value(
            a, setup.indicator(code), setup.period, entered, version=None, engine=setup.engine
        )
    with Session(setup.engine) as session:
        frame = template(session, setup.mission, setup.period, a.organisation_id)
    csv_data, xlsx_data = to_csv(frame), to_excel(frame)
    # downloads neutralise what a spreadsheet would run, and keep the letters
    assert "'=HYPERLINK(" in csv_data.decode("utf-8-sig")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_data)).active
    assert sheet is not None
    cells = [cell.value for row in sheet.iter_rows() for cell in row]
    assert '\'=HYPERLINK("http://x.invalid","klikk")' in cells and "'@SSB" in cells
    assert "Tromsø, Bodø og Ålesund" in cells and "Andel i Tromsø" in cells
    # and uploading them again changes nothing
    for name, data in (("mal.csv", csv_data), ("mal.xlsx", xlsx_data)):
        check = setup.check("udir_a", data, name)
        assert check.ok, [(r.row, r.problems, r.invalid) for r in check.bad]
        assert check.counts() == {
            "create": 0,
            "update": 0,
            "correct": 0,
            "unchanged": 3,
            "skip": 2,
            "bad": 0,
        }
    assert setup.commit("udir_a", csv_data, "mal.csv")["unchanged"] == 3
    stored = setup.value("C1")
    assert stored is not None and stored.version == 1
    assert stored.comment == '=HYPERLINK("http://x.invalid","klikk")'  # stored as typed


# --- the dry run -----------------------------------------------------------------------------

# (row as typed, what is wrong: a problem code or the validation error's type)
BAD_ROWS: list[tuple[list[str], str]] = [
    (["C1", "2025", "mange", "", ""], "number_format"),  # text
    (["C1", "2025", "NaN", "", ""], "number_format"),
    (["C2", "2025", "inf", "", ""], "number_format"),
    (["C3", "2025", "Infinity", "", ""], "number_format"),
    (["C4", "2025", "-5", "", ""], "negative_count"),
    (["P", "2025", "101 %", "", ""], "percent_range"),
    (["C1", "2025", "1.000", "", ""], "number_ambiguous"),
    (["C1", "2025", "", "bare en kommentar", ""], "missing"),
    (["C2", "2025", "3", "nul\x00her", ""], "control_characters"),
    (["C3", "2025", "3", "bjelle\x07", ""], "control_characters"),
    (["C4", "2025", "3", "x" * 1001, ""], "string_too_long"),
    (["C1", "2025", "3", "", "k" * 501], "string_too_long"),
    (["X9", "2025", "3", "", ""], "unknown_indicator"),
    (["", "2025", "3", "", ""], "missing_indicator"),
    (["C1", "2023", "3", "", ""], "unknown_period"),
    (["C1", "", "3", "", ""], "missing_period"),
    (["C1", "2024", "3", "", ""], "period_locked"),
    (["N", "2025", "3", "", ""], "other_organisation"),
]


@pytest.mark.parametrize(("line", "rule"), BAD_ROWS, ids=[rule for _, rule in BAD_ROWS])
def test_each_bad_row_is_listed_with_its_rule_and_nothing_is_written(
    setup: Setup, line: list[str], rule: str
) -> None:
    good = [["C2", "2025", "1,5", "", ""]] if line[0] != "C2" else [["C3", "2025", "1,5", "", ""]]
    data = csv_bytes([*good, line])
    before = dump(setup.engine)
    check = setup.check("udir_a", data)
    assert outcomes(check) == {2: "create", 3: "bad"}
    [bad] = check.bad
    codes = [p.code for p in bad.problems]
    codes += [e["type"] for e in bad.invalid.errors()] if bad.invalid else []
    assert codes == [rule]
    with pytest.raises(ImportRefused):
        setup.commit("udir_a", data)
    assert dump(setup.engine) == before


def test_a_period_only_another_mission_has_is_unknown_to_the_import(setup: Setup) -> None:
    """A file's «periode» names a period of the import's mission only: 2023 exists in another
    mission (the same directorate reports there), and this mission's import refuses it as it
    refuses a label no mission has."""
    with session_scope(write=True, engine=setup.engine) as session:
        other = Mission(key="annet", title="Et annet oppdrag")
        session.add(other)
        session.flush()
        assert other.id is not None
        session.add(
            Period(
                mission_id=other.id,
                label="2023",
                start=dt.date(2023, 1, 1),
                end=dt.date(2023, 12, 31),
            )
        )
    data = csv_bytes([["C1", "2025", "1", "", ""], ["C1", "2023", "3", "", ""]])
    before = dump(setup.engine)
    check = setup.check("udir_a", data)
    assert outcomes(check) == {2: "create", 3: "bad"}
    [bad] = check.bad
    [problem] = bad.problems
    message = catalogue("nb")[f"import.problem.{problem.code}"].format(**problem.values)
    assert message == "«periode»: det finnes ingen periode som heter «2023»."
    with pytest.raises(ImportRefused):
        setup.commit("udir_a", data)
    assert dump(setup.engine) == before
    with Session(setup.engine) as session:  # nor does the template offer the other's period
        other_period = session.exec(select(Period.id).where(Period.label == "2023")).one()
        assert template(session, setup.mission, other_period or 0).empty


def test_messages_name_the_column_and_the_rule(setup: Setup) -> None:
    check = setup.check("udir_a", csv_bytes([["C1", "2025", "12,5x", "", ""], ["X", "2025", "1"]]))
    first, second = check.rows
    assert isinstance(first.invalid, ValidationError)
    assert describe(first.invalid, "nb") == [
        "«Verdi»: «12,5x» er ikke et tall. Skriv for eksempel 1 234,5 eller 12 %."
    ]
    [problem] = second.problems
    message = catalogue("nb")[f"import.problem.{problem.code}"].format(**problem.values)
    assert message == "«indikator»: ingen indikator i samfunnsoppdraget har koden «X»."


def test_norwegian_numbers_and_excel_numbers_are_accepted(setup: Setup) -> None:
    lines = [
        ["C1", "2025", "1 000", "", ""],
        ["C2", "2025", "1,5", "", ""],
        ["C3", "2025", "1.234,5", "", ""],
        ["C4", "2025", "12", "", ""],
        ["P", "2025", "12 %", "", ""],
    ]
    assert setup.commit("udir_a", csv_bytes(lines))["create"] == 5
    numbers = [setup.number(code) for code in ("C1", "C2", "C3", "C4", "P")]
    assert numbers == [1000, 1.5, 1234.5, 12, 12]
    excel = xlsx_bytes([["C1", 2025, 2500, "", None], ["P", 2025, 33.3, None, None]])
    assert setup.check("udir_b", excel, "v.xlsx").counts()["update"] == 2


def test_a_value_twice_in_the_file_is_refused_naming_the_first_row(setup: Setup) -> None:
    data = csv_bytes([["C1", "2025", "1", "", ""], ["C2", "2025", "2"], ["C1", "2025", "1"]])
    check = setup.check("udir_a", data)
    [bad] = check.bad
    assert bad.row == 4 and [(p.code, p.values) for p in bad.problems] == [
        ("duplicate", {"first": 2})
    ]


def test_blank_rows_are_skipped_and_an_unchanged_value_is_not_written(setup: Setup) -> None:
    setup.commit("udir_a", csv_bytes([["C1", "2025", "5", "Bra", ""]]))
    audits = rows(setup.engine, AuditEvent)
    data = csv_bytes([["C1", "2025", "5,0", " Bra ", ""], ["C2", "2025", "", "", ""]])
    assert setup.commit("udir_a", data) == {
        "create": 0,
        "update": 0,
        "correct": 0,
        "unchanged": 1,
        "skip": 1,
        "bad": 0,
    }
    stored = setup.value("C1")
    assert stored is not None and stored.version == 1
    assert rows(setup.engine, AuditEvent) == audits


def test_an_import_over_an_approved_value_is_a_correction_that_needs_a_reason(
    setup: Setup,
) -> None:
    a, b = setup.actors["udir_a"], setup.actors["udir_b"]
    row = save_value(
        a, setup.indicator("C1"), setup.period, {"value": "7"}, version=None, engine=setup.engine
    )
    row = submit_value(a, row.id or 0, row.version, engine=setup.engine)
    approved = approve_value(b, row.id or 0, row.version, engine=setup.engine)
    assert outcomes(setup.check("admin", csv_bytes([["C1", "2025", "7"]]))) == {2: "unchanged"}
    check = setup.check("admin", csv_bytes([["C1", "2025", "8"]]))
    assert [p.code for p in check.bad[0].problems] == ["reason_required"]
    check = setup.check("udir_a", csv_bytes([["C1", "2025", "7", "ny kommentar"]]))
    assert [p.code for p in check.bad[0].problems] == ["reason_required"]
    with_reason = csv_bytes(
        [["C1", "2025", "8", "", "", "SSB rettet tallet"]], header=[*HEADER, "begrunnelse"]
    )
    assert outcomes(setup.check("udir_a", with_reason)) == {2: "correct"}
    assert setup.commit("udir_a", with_reason)["correct"] == 1
    with Session(setup.engine) as session:
        stored = session.exec(
            select(IndicatorValue).order_by(col(IndicatorValue.is_correction))
        ).all()
    # the approved value stays what everyone sees; the correction waits beside it as a draft
    assert [(v.value, v.status, v.is_correction) for v in stored] == [
        (7, EntryStatus.APPROVED, False),
        (8, EntryStatus.DRAFT, True),
    ]
    assert stored[0].version == approved.version and stored[1].entered_by_id == a.id
    assert stored[1].correction_reason == "SSB rettet tallet"
    # the same file again changes nothing; the approved value again leaves the correction be
    assert outcomes(setup.check("udir_a", with_reason)) == {2: "unchanged"}
    assert outcomes(setup.check("udir_a", csv_bytes([["C1", "2025", "7"]]))) == {2: "unchanged"}
    # a new figure changes the correction and keeps its reason when the file gives none
    assert outcomes(setup.check("udir_a", csv_bytes([["C1", "2025", "9"]]))) == {2: "correct"}
    setup.commit("udir_a", csv_bytes([["C1", "2025", "9"]]))
    with Session(setup.engine) as session:
        pending = session.exec(select(IndicatorValue).where(IndicatorValue.is_correction)).one()
    assert (pending.value, pending.correction_reason) == (9, "SSB rettet tallet")


@pytest.mark.parametrize(
    ("reason", "problem"),
    [
        ("\u202eevil", "reason_characters"),
        ("SSB \u2066rettet\u2069", "reason_characters"),
        ("x" * 1001, "reason_too_long"),
    ],
)
def test_an_import_s_correction_reason_is_checked_like_every_other_text(
    setup: Setup, reason: str, problem: str
) -> None:
    # the begrunnelse column was only measured: «\u202eevil» went in as typed
    a, b = setup.actors["udir_a"], setup.actors["udir_b"]
    row = save_value(
        a, setup.indicator("C1"), setup.period, {"value": "7"}, version=None, engine=setup.engine
    )
    row = submit_value(a, row.id or 0, row.version, engine=setup.engine)
    approve_value(b, row.id or 0, row.version, engine=setup.engine)
    data = csv_bytes([["C1", "2025", "8", "", "", reason]], header=[*HEADER, "begrunnelse"])
    check = setup.check("udir_a", data)
    assert [p.code for p in check.bad[0].problems] == [problem]
    assert catalogue("nb")[f"import.problem.{problem}"].startswith("«begrunnelse»")
    with pytest.raises(ImportRefused):
        setup.commit("udir_a", data)
    with Session(setup.engine) as session:
        assert session.exec(select(IndicatorValue.value)).all() == [7]


# --- the commit: permissions, workflow, audit, all or nothing ---------------------------------


def test_the_secretariat_imports_any_indicator_as_submitted_for_someone_else_to_approve(
    setup: Setup,
) -> None:
    setup.commit("udir_a", csv_bytes([["C1", "2025", "1", "utkast", ""]]))
    data = csv_bytes([["C1", "2025", "2"], ["N", "2025", "3", "fra registeret", "NAV"]])
    assert setup.commit("admin", data, "fra-sekretariatet.csv") == {
        "create": 1,
        "update": 1,
        "correct": 0,
        "unchanged": 0,
        "skip": 0,
        "bad": 0,
    }
    admin = setup.actors["admin"]
    updated, created = setup.value("C1"), setup.value("N")
    assert updated is not None and created is not None
    assert (updated.status, updated.version, updated.entered_by_id) == (
        EntryStatus.SUBMITTED,
        2,
        admin.id,
    )
    assert (created.status, created.version, created.source_note) == (
        EntryStatus.SUBMITTED,
        1,
        "NAV",
    )
    with Session(setup.engine) as session:
        audits = session.exec(select(AuditEvent).where(AuditEvent.action == "import")).all()
    assert [(e.actor_email, e.reason) for e in audits] == [
        ("udir_a@example.no", "verdier.csv"),
        ("admin@example.no", "fra-sekretariatet.csv"),
        ("admin@example.no", "fra-sekretariatet.csv"),
    ]
    last = audits[1:]
    assert {e.entity_id for e in last} == {str(updated.id), str(created.id)}
    before = next(e for e in last if e.entity_id == str(updated.id)).before
    assert before is not None and before["value"] == 1 and before["status"] == "draft"
    # four eyes: the secretariat cannot approve; the operative group can
    with pytest.raises(PermissionDenied):
        approve_value(admin, created.id or 0, created.version, engine=setup.engine)
    approved = approve_value(
        setup.actors["nav"], created.id or 0, created.version, engine=setup.engine
    )
    assert approved.status == EntryStatus.APPROVED


def test_an_operative_imports_their_own_organisations_values_as_drafts(setup: Setup) -> None:
    setup.commit("udir_a", csv_bytes([["C1", "2025", "4"], ["P", "2025", "55 %"]]))
    stored = setup.value("P")
    assert stored is not None
    assert (stored.status, stored.value, stored.entered_by_id) == (
        EntryStatus.DRAFT,
        55,
        setup.actors["udir_a"].id,
    )
    submit_value(setup.actors["udir_a"], stored.id or 0, stored.version, engine=setup.engine)
    # a colleague's import over a submitted value takes it back to draft, a version on
    setup.commit("udir_b", csv_bytes([["P", "2025", "56 %"]]))
    again = setup.value("P")
    assert again is not None and (again.status, again.version) == (EntryStatus.DRAFT, 3)
    check = setup.check("nav", csv_bytes([["C1", "2025", "4"], ["N", "2025", "1"]]))
    assert outcomes(check) == {2: "bad", 3: "create"}


@pytest.mark.parametrize("who", ["partner", "steering", "anonymous", "homeless"])
def test_roles_without_the_right_are_refused_and_the_attempt_logged(setup: Setup, who: str) -> None:
    data = csv_bytes([["C1", "2025", "1"]])
    refusals = rows(setup.engine, AuditEvent, action="refused")
    with pytest.raises(PermissionDenied):
        setup.check(who, data)
    with pytest.raises(PermissionDenied):
        setup.commit(who, data, expected={})
    assert rows(setup.engine, AuditEvent, action="refused") == refusals + 2
    assert rows(setup.engine, IndicatorValue) == 0


def test_one_bad_row_and_nothing_is_written(setup: Setup) -> None:
    good = [[f"C{i}", "2025", str(i)] for i in range(1, 5)]
    before = dump(setup.engine)
    with pytest.raises(ImportRefused) as refused:
        setup.commit("admin", csv_bytes([*good, ["P", "2025", "140 %"]]))
    assert [row.row for row in refused.value.check.bad] == [6]
    assert dump(setup.engine) == before


def test_the_commit_checks_again_what_changed_since_the_dry_run(setup: Setup) -> None:
    data = csv_bytes([["C1", "2025", "1"], ["C2", "2025", "2"]])
    seen = setup.check("udir_a", data)
    assert seen.ok
    set_period_locked(setup.actors["admin"], setup.period, True, engine=setup.engine)
    before = dump(setup.engine)
    with pytest.raises(ImportRefused) as refused:
        setup.commit("udir_a", data, expected=seen.versions())
    assert {p.code for row in refused.value.check.bad for p in row.problems} == {"period_locked"}
    assert dump(setup.engine) == before


def test_a_value_saved_after_the_dry_run_stops_the_whole_import(setup: Setup) -> None:
    a, b = setup.actors["udir_a"], setup.actors["udir_b"]
    c1 = save_value(
        a, setup.indicator("C1"), setup.period, {"value": "1"}, version=None, engine=setup.engine
    )
    c3 = save_value(
        a, setup.indicator("C3"), setup.period, {"value": "3"}, version=None, engine=setup.engine
    )
    c4 = save_value(
        a, setup.indicator("C4"), setup.period, {"value": "4"}, version=None, engine=setup.engine
    )
    data = csv_bytes(
        [["C1", "2025", "10"], ["C2", "2025", "20"], ["C3", "2025", "3"], ["C4", "2025", "40"]]
    )
    seen = setup.check("admin", data)
    assert outcomes(seen) == {2: "update", 3: "create", 4: "unchanged", 5: "update"}
    # after the dry run: a colleague saves C1, creates C2 and submits C3; C4 is left alone
    save_value(
        b, c1.indicator_id, setup.period, {"value": "11"}, version=c1.version, engine=setup.engine
    )
    save_value(
        b, setup.indicator("C2"), setup.period, {"value": "21"}, version=None, engine=setup.engine
    )
    submit_value(a, c3.id or 0, c3.version, engine=setup.engine)
    before = dump(setup.engine)
    with pytest.raises(ImportStale) as stale:
        setup.commit("admin", data, expected=seen.versions())
    assert dump(setup.engine) == before  # nothing written, C4 included
    changed = {c.row: (c.indicator, c.period, c.changed_by) for c in stale.value.changed}
    assert changed == {
        2: ("C1", "2025", "udir_b@example.no"),
        3: ("C2", "2025", "udir_b@example.no"),
        4: ("C3", "2025", "udir_a@example.no"),
    }
    assert all(isinstance(c.changed_at, dt.datetime) for c in stale.value.changed)
    stored = setup.value("C3")
    assert stored is not None and stored.status == EntryStatus.SUBMITTED
    # confirmed from a fresh dry run, the import goes through
    assert setup.commit("admin", data)["update"] == 3
    assert [setup.number(code) for code in ("C1", "C2", "C3", "C4")] == [10, 20, 3, 40]
    assert c4.version == 1


def test_a_commit_without_the_dry_runs_versions_writes_nothing(setup: Setup) -> None:
    data = csv_bytes([["C1", "2025", "1"], ["C2", "2025", "2"]])
    with pytest.raises(ImportStale) as stale:
        setup.commit("udir_a", data, expected={})
    assert [(c.row, c.changed_by) for c in stale.value.changed] == [(2, None), (3, None)]
    assert rows(setup.engine, IndicatorValue) == 0


def test_a_file_without_comment_columns_keeps_the_stored_comment_and_source_note(
    setup: Setup,
) -> None:
    a = setup.actors["udir_a"]
    entered = {"value": "5", "comment": "viktig kommentar", "source_note": "SSB"}
    save_value(a, setup.indicator("C1"), setup.period, entered, version=None, engine=setup.engine)
    save_value(a, setup.indicator("C2"), setup.period, entered, version=None, engine=setup.engine)
    only_values = csv_bytes(
        [["C1", "2025", "6"], ["C2", "2025", "5"], ["C3", "2025", "7"], ["C4", "2025", ""]],
        header=["indikator", "periode", "verdi"],
    )
    check = setup.check("udir_a", only_values)
    assert outcomes(check) == {2: "update", 3: "unchanged", 4: "create", 5: "skip"}
    assert setup.commit("udir_a", only_values)["update"] == 1
    c1, c2, c3 = setup.value("C1"), setup.value("C2"), setup.value("C3")
    assert c1 is not None and c2 is not None and c3 is not None
    assert (c1.value, c1.comment, c1.source_note) == (6, "viktig kommentar", "SSB")
    assert (c2.value, c2.version) == (5, 1)  # not written at all
    assert (c3.value, c3.comment, c3.source_note) == (7, None, None)
    with Session(setup.engine) as session:
        audit = session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_id == str(c1.id), AuditEvent.action == "import"
            )
        ).one()
    assert audit.after is not None and audit.after["comment"] == "viktig kommentar"
    # a file with kommentar but no kildemerknad changes the comment, keeps the source note
    comments = csv_bytes(
        [["C1", "2025", "6", "ny kommentar"], ["C2", "2025", "5", ""]],
        header=["indikator", "periode", "verdi", "kommentar"],
    )
    assert outcomes(setup.check("udir_a", comments)) == {2: "update", 3: "update"}
    setup.commit("udir_a", comments)
    c1, c2 = setup.value("C1"), setup.value("C2")
    assert c1 is not None and c2 is not None
    assert (c1.comment, c1.source_note) == ("ny kommentar", "SSB")
    assert (c2.comment, c2.source_note) == (None, "SSB")  # an empty cell does clear


# --- killed midway ---------------------------------------------------------------------------

CHILD = """
import sys, time
from sqlmodel import Session, func, select
from dashboard.db import make_engine
from dashboard.services.imports import run as imports
from dashboard.services.imports.upload import read_upload
from dashboard.services.users import actor_of
from models import IndicatorValue, User

url, email, path, mission = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
engine = make_engine(url)
write = imports._write

def write_then_wait(session, *args):
    write(session, *args)  # every row written into the open transaction: wait to be killed
    count = session.exec(select(func.count()).select_from(IndicatorValue)).one()
    print(f"written {count}", flush=True)
    time.sleep(600)

imports._write = write_then_wait
with Session(engine) as session:
    actor = actor_of(session.exec(select(User).where(User.email == email)).one())
frame = read_upload(path, open(path, "rb").read())
expected = imports.dry_run(actor, mission, frame, engine=engine).versions()
imports.commit_import(actor, mission, frame, source=path, expected=expected, engine=engine)
print("committed", flush=True)
"""


def test_an_import_killed_midway_leaves_the_database_as_it_was(
    setup: Setup, tmp_path: Path
) -> None:
    setup.commit("udir_a", csv_bytes([["C1", "2025", "1"]]))  # something to update too
    lines = [["C1", "2025", "10"], ["C2", "2025", "20"], ["C3", "2025", "30"]]
    lines += [["C4", "2025", "40"], ["P", "2025", "50 %"]]
    upload = tmp_path / "verdier.csv"
    upload.write_bytes(csv_bytes(lines))
    before = dump(setup.engine)
    url = setup.engine.url.render_as_string(hide_password=False)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, "udir_a@example.no", str(upload), str(setup.mission)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "DATABASE_URL": url},
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "written 5", line  # C1 updated, four added, uncommitted
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert dump(setup.engine) == before
    # nothing is left locked or half-done: the same import now goes through
    assert setup.commit("udir_a", upload.read_bytes())["create"] == 4
    stored = setup.value("C1")
    assert stored is not None and (stored.value, stored.version) == (10, 2)
