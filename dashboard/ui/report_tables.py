"""A status report's rows as readers see them: translated headers and labels, Norwegian numbers.
Plain functions of a language (no Streamlit), shared by the page and the review pack."""

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from dashboard.i18n import enum_key, translate
from dashboard.i18n.formatting import date, measured, number
from dashboard.services.progress import MISSING
from dashboard.services.snapshots.compare import Comparison
from dashboard.services.snapshots.rows import Snapshot, blank
from dashboard.statistics.suppression import SYMBOL, hidden_count
from dashboard.ui.suppression import shown_value
from models import EntryStatus, ProgressStatus, Rag

DASH = "–"


class Words:
    """The messages and labels of one language, for a reader who is internal (sees the values
    small-number suppression hides from publication, marked) or not (sees «:»)."""

    def __init__(self, lang: str, *, internal: bool = False) -> None:
        self.lang = lang
        self.internal = internal

    def __call__(self, key: str, **values: Any) -> str:
        return translate(self.lang, key, **values)

    def enum(self, value: Any, kind: str) -> str:
        """An enum value's label, '–' for none."""
        return DASH if blank(value) else translate(self.lang, enum_key(str(value), kind))

    def enums(self, values: Iterable[Any], kind: str) -> list[str]:
        return [self.enum(v, kind) for v in values]

    def step(self, value: Any) -> str:
        """A step on the coordination staircase as '3. Trekke i samme retning'."""
        if blank(value):
            return self("method.not_assessed")
        return f"{int(value)}. {self(f'method.step.{int(value)}')}"

    def levels(self, value: Any) -> str:
        """The system levels stored as 'a,b' named in the language, or ikke vurdert."""
        if blank(value) or not str(value):
            return self("method.not_assessed")
        return ", ".join(self.enums(str(value).split(","), "SystemLevel"))

    def involvement(self, level: Any) -> str:
        """A level of involvement as '6. Voksne tar initiativ …', «Ingen medvirkning» ("none")
        or «Ikke vurdert» (blank)."""
        if blank(level):
            return self("involvement.not_assessed")
        if level == "none":
            return self("involvement.none")
        return f"{int(level)}. {self(f'involvement.rung.{int(level)}')}"

    def state(self, value: Any) -> str:
        """A value's or check-in's workflow state in the report's period ('Mangler': none)."""
        if blank(value):
            return DASH
        return (
            self("progress.state.missing") if value == MISSING else self.enum(value, "EntryStatus")
        )

    def value(self, value: Any, measure: Any, unit: Any) -> str:
        """An indicator's value with its unit; «:» where it is suppressed and the reader is
        not internal (dashboard.ui.suppression)."""
        return shown_value(value, measure, unit, self.lang, internal=self.internal)

    def moves(self, before: Iterable[Any], after: Iterable[Any], kind: str) -> list[str]:
        """'Gul → Rød' for each pair of enum values."""
        return [
            f"{self.enum(a, kind)} → {self.enum(b, kind)}"
            for a, b in zip(before, after, strict=True)
        ]

    def change(self, row: Mapping[Any, Any]) -> str:
        """The change from value_a to value_b, signed; «:» when either is suppressed and the
        reader is not internal (the change and the other value would give it back)."""
        if blank(row["change"]):
            return DASH
        measure = str(row["measure"] or "count")
        if not self.internal and (
            hidden_count(row["value_a"], measure) or hidden_count(row["value_b"], measure)
        ):
            return SYMBOL
        return signed(float(row["change"]), self.lang)

    def target(self, value: Any, measure: Any, unit: Any) -> str:
        """A target with its unit: what is aimed at, no count of persons, so never hidden."""
        if blank(value):
            return DASH
        kind, shown_unit = str(measure or "count"), None if blank(unit) else unit
        return measured(float(value), kind, shown_unit, self.lang)

    def value_at(self, row: Mapping[Any, Any], value: str, when: Any) -> str:
        """row[value] in the row's measure and unit, followed by '(when)' (a target never
        hidden, any other value as Words.value shows it)."""
        words = self.target if value == "target_value" else self.value
        return f"{words(row[value], row['measure'], row['unit'])} ({text(when) or DASH})"

    def goal_status(self, status: Any, measured: Any, total: Any) -> str:
        """A goal's status label with how many of its indicators it rests on."""
        return coverage(self.enum(status, "ProgressStatus"), measured, total, self.lang)

    def year(self, value: Any) -> str:
        return DASH if blank(value) else str(int(value))

    def date(self, value: Any) -> str:
        return DASH if blank(value) else date(value, self.lang)


def coverage(status: str, measured: Any, total: Any, lang: str) -> str:
    """'I rute (1 av 11 indikatorer har mål og verdi)' when a goal's status rests on fewer than
    all of its indicators; the bare status when on all of them, or when the count is unknown."""
    if blank(measured) or blank(total) or int(measured) >= int(total):
        return status
    counts = {"measured": int(measured), "count": int(total)}
    return translate(lang, "progress.coverage", status=status, **counts)


def text(value: Any) -> str:
    return "" if blank(value) else str(value)


def goals_table(goals: pd.DataFrame, w: Words) -> pd.DataFrame:
    """Each goal with its computed status and, beside it, the steering group's."""
    return pd.DataFrame(
        {
            w("col.code"): goals["code"],
            w("col.goal"): [
                "\u2003" * int(d) + t for d, t in zip(goals["depth"], goals["title"], strict=True)
            ],
            w("report.col.computed"): [
                w.goal_status(s, m, n)
                for s, m, n in zip(
                    goals["computed_status"],
                    measured_counts(goals),
                    goals["indicators"],
                    strict=True,
                )
            ],
            w("report.col.override"): w.enums(goals["override_status"], "ProgressStatus"),
            w("report.col.justification"): [text(v) for v in goals["override_justification"]],
            w("report.col.indicators"): goals["indicators"].astype("int64"),
            w("report.col.initiatives"): goals["initiatives"].astype("int64"),
        }
    )


def measured_counts(goals: pd.DataFrame) -> pd.Series:
    """The goals' counts of measured indicators (None where a report could not tell)."""
    return goals["measured"] if "measured" in goals else pd.Series([None] * len(goals))


def indicators_table(indicators: pd.DataFrame, w: Words) -> pd.DataFrame:
    """Each indicator's value, baseline, target, status and the period's reporting state."""
    rows = indicators.to_dict("records")
    return pd.DataFrame(
        {
            w("col.code"): indicators["code"],
            w("col.indicator"): indicators["name"],
            w("col.latest"): [w.value(r["value"], r["measure"], r["unit"]) for r in rows],
            w("col.latest_period"): [text(v) or DASH for v in indicators["value_period"]],
            w("col.baseline"): [
                w.value_at(r, "baseline_value", w.year(r["baseline_year"]))
                if not blank(r["baseline_value"])
                else DASH
                for r in rows
            ],
            w("col.target"): [
                w.value_at(r, "target_value", w.year(r["target_year"]))
                if not blank(r["target_value"])
                else w("common.no_target")
                for r in rows
            ],
            w("progress.col.status"): w.enums(indicators["progress_status"], "ProgressStatus"),
            w("report.col.period_state"): [w.state(v) for v in indicators["period_state"]],
            w("col.responsible"): [text(v) or DASH for v in indicators["responsible"]],
            w("report.col.correction"): [correction_text(r, w) for r in rows],
        }
    )


def correction_text(row: Mapping[Any, Any], w: Words) -> str:
    """'2024: 98 000 → 97 500' for a value the previous report showed and that has changed."""
    if blank(row.get("corrected_period")):
        return ""
    now = row.get("corrected_to")
    after = w("report.withdrawn") if blank(now) else w.value(now, row["measure"], row["unit"])
    before = w.value(row.get("corrected_from"), row["measure"], row["unit"])
    return f"{row['corrected_period']}: {before} → {after}"


def initiatives_table(initiatives: pd.DataFrame, w: Words) -> pd.DataFrame:
    """Each initiative with its status and its latest approved check-in."""
    return pd.DataFrame(
        {
            w("col.number"): initiatives["number"].astype("int64"),
            w("col.initiative"): initiatives["name"],
            w("col.status"): w.enums(initiatives["status"], "InitiativeStatus"),
            w("col.rag"): w.enums(initiatives["rag"], "Rag"),
            w("report.col.check_in_period"): [
                text(v) or DASH for v in initiatives["check_in_period"]
            ],
            w("report.col.check_in_state"): [w.state(v) for v in initiatives["check_in_state"]],
            w("method.step"): [DASH if blank(v) else str(int(v)) for v in initiatives["step"]],
            w("method.levels"): [w.levels(v) for v in initiatives["system_levels"]],
            w("involvement.short"): involvement_cells(initiatives, w),
            w("col.progress"): [text(v) for v in initiatives["progress"]],
            w("col.help_needed"): [text(v) for v in initiatives["help_needed"]],
            w("col.responsible"): [text(v) or DASH for v in initiatives["responsible"]],
        }
    )


def involvement_cells(initiatives: pd.DataFrame, w: Words) -> list[str]:
    """Each initiative's rung on Hart's ladder of participation, «Ingen» (assessed: none) or
    '–' (not assessed)."""
    return [
        DASH
        if blank(involved)
        else (str(int(rung)) if bool(involved) and not blank(rung) else w("involvement.none_short"))
        for involved, rung in zip(
            initiatives["youth_involved"], initiatives["participation_rung"], strict=True
        )
    ]


def involvement_changes_table(changes: pd.DataFrame, w: Words) -> pd.DataFrame:
    """The initiatives whose involvement of children and young people changed."""
    return pd.DataFrame(
        {
            w("col.number"): changes["number"],
            w("col.initiative"): changes["name"],
            w("report.col.what"): [w(f"involvement.changes.{c}") for c in changes["change"]],
            w("involvement.level"): [
                f"{w.involvement(a)} → {w.involvement(b)}"
                for a, b in zip(changes["level_a"], changes["level_b"], strict=True)
            ],
        }
    )


def decisions_table(decisions: pd.DataFrame, w: Words) -> pd.DataFrame:
    """The decisions and their follow-up."""
    return pd.DataFrame(
        {
            w("decision.col.title"): decisions["title"],
            w("decision.col.owner"): [text(v) or DASH for v in decisions["owner"]],
            w("decision.col.decided_on"): [w.date(v) for v in decisions["decided_on"]],
            w("col.due"): [w.date(v) for v in decisions["due"]],
            w("col.status"): w.enums(decisions["status"], "DecisionStatus"),
            w("decision.col.follow_up"): [text(v) for v in decisions["follow_up"]],
            w("col.goals"): [text(v) for v in decisions["goals"]],
            w("decision.col.initiatives"): [text(v) for v in decisions["initiatives"]],
        }
    )


STATES = (EntryStatus.APPROVED.value, "submitted", "draft", "returned", MISSING)


def completeness_table(snapshot: Snapshot, w: Words) -> pd.DataFrame:
    """How many of the period's expected values and check-ins are in each state."""
    values = snapshot.indicators["period_state"].value_counts()
    check_ins = snapshot.initiatives["check_in_state"].value_counts()
    return pd.DataFrame(
        {
            w("col.status"): [w.state(s) for s in STATES],
            w("report.col.values"): [int(values.get(s, 0)) for s in STATES],
            w("report.col.check_ins"): [int(check_ins.get(s, 0)) for s in STATES],
        }
    )


def status_counts(snapshot: Snapshot, w: Words) -> pd.DataFrame:
    """Indicators per status (the report's chart), every status in order."""
    counts = snapshot.indicators["progress_status"].value_counts()
    return pd.DataFrame(
        {
            w("progress.col.status"): [w.enum(s.value, "ProgressStatus") for s in ProgressStatus],
            w("col.count"): [int(counts.get(s.value, 0)) for s in ProgressStatus],
        }
    )


def rag_counts(snapshot: Snapshot, w: Words) -> pd.DataFrame:
    """Initiatives per RAG status of their latest check-in (and those without one)."""
    counts = snapshot.initiatives["rag"].value_counts()
    missing = int(snapshot.initiatives["rag"].map(blank).sum())
    return pd.DataFrame(
        {
            w("col.rag"): [*(w.enum(r.value, "Rag") for r in Rag), w("report.no_check_in")],
            w("col.count"): [*(int(counts.get(r.value, 0)) for r in Rag), missing],
        }
    )


# --- changes -------------------------------------------------------------------------------------


def change_tables(changes: Comparison, w: Words) -> dict[str, pd.DataFrame]:
    """The differences between two reports as tables, by heading key (empty ones left out)."""
    ind = changes.indicators.to_dict("records")
    tables = {
        "report.changes.indicators": pd.DataFrame(
            {
                w("col.code"): changes.indicators["code"],
                w("col.indicator"): changes.indicators["name"],
                w("report.col.before"): [w.value_at(r, "value_a", r["period_a"]) for r in ind],
                w("report.col.after"): [w.value_at(r, "value_b", r["period_b"]) for r in ind],
                w("report.col.change"): [w.change(r) for r in ind],
                w("report.col.status_before"): w.enums(
                    changes.indicators["status_a"], "ProgressStatus"
                ),
                w("report.col.status_after"): w.enums(
                    changes.indicators["status_b"], "ProgressStatus"
                ),
            }
        ),
        "report.changes.goals": pd.DataFrame(
            {
                w("col.code"): changes.goals["code"],
                w("col.goal"): changes.goals["title"],
                w("report.col.status_before"): w.enums(changes.goals["status_a"], "ProgressStatus"),
                w("report.col.status_after"): w.enums(changes.goals["status_b"], "ProgressStatus"),
                w("report.col.computed"): w.moves(
                    changes.goals["computed_a"], changes.goals["computed_b"], "ProgressStatus"
                ),
            }
        ),
        "report.changes.initiatives": pd.DataFrame(
            {
                w("col.number"): changes.initiatives["number"],
                w("col.initiative"): changes.initiatives["name"],
                w("report.col.what"): [
                    w(f"report.change.{c}") for c in changes.initiatives["change"]
                ],
                w("col.status"): w.moves(
                    changes.initiatives["status_a"],
                    changes.initiatives["status_b"],
                    "InitiativeStatus",
                ),
                w("col.rag"): w.moves(
                    changes.initiatives["rag_a"], changes.initiatives["rag_b"], "Rag"
                ),
                w("method.levels"): [
                    f"{w.levels(a)} → {w.levels(b)}" if c == "levels" else DASH
                    for a, b, c in zip(
                        changes.initiatives["levels_a"],
                        changes.initiatives["levels_b"],
                        changes.initiatives["change"],
                        strict=True,
                    )
                ],
            }
        ),
        "report.changes.decisions": pd.DataFrame(
            {
                w("decision.col.title"): changes.decisions["title"],
                w("report.col.what"): [
                    w(f"report.change.decision_{c}") for c in changes.decisions["change"]
                ],
                w("col.status"): [
                    f"{w.enum(a, 'DecisionStatus')} → {w.enum(b, 'DecisionStatus')}"
                    if not blank(a)
                    else w.enum(b, "DecisionStatus")
                    for a, b in zip(
                        changes.decisions["status_a"], changes.decisions["status_b"], strict=True
                    )
                ],
                w("col.due"): [w.date(v) for v in changes.decisions["due"]],
            }
        ),
        "method.changes.steps": pd.DataFrame(
            {
                w("method.subject"): [
                    w("method.changes.initiative", number=r["label"], name=text(r["name"]))
                    if r["subject"] == "initiative"
                    else w(
                        "method.changes.link", ends=r["label"], kind=w.enum(r["kind"], "LinkKind")
                    )
                    for r in changes.steps.to_dict("records")
                ],
                w("report.col.what"): [w(f"method.changes.{c}") for c in changes.steps["change"]],
                w("method.step"): [
                    f"{w.step(a)} → {w.step(b)}" if not blank(a) else w.step(b)
                    for a, b in zip(changes.steps["step_a"], changes.steps["step_b"], strict=True)
                ],
            }
        ),
        "funding.changes": funding_change_table(changes, w),
        "report.changes.corrections": pd.DataFrame(
            {
                w("col.code"): changes.corrections["code"],
                w("col.indicator"): changes.corrections["name"],
                w("col.period"): changes.corrections["period"],
                w("report.col.shown"): [
                    w.value(r["shown"], r["measure"], r["unit"])
                    for r in changes.corrections.to_dict("records")
                ],
                w("report.col.now"): [
                    w("report.withdrawn")
                    if blank(r["now"])
                    else w.value(r["now"], r["measure"], r["unit"])
                    for r in changes.corrections.to_dict("records")
                ],
            }
        ),
    }
    tables["involvement.changes.title"] = involvement_changes_table(changes.involvement, w)
    tables |= agency_change_tables(changes, w)
    return {key: frame for key, frame in tables.items() if not frame.empty}


# --- the agencies' cooperation tasks and the mission's phase ------------------------------------


def partial_date(value: Any, precision: Any, w: Words) -> str:
    """A date as precise as it is known: '1. mai 2025', 'juli 2024', '2024'."""
    if blank(value):
        return DASH
    if str(precision) == "year":
        return str(value.year)
    return date(value, w.lang, month_only=str(precision) == "month")


def task_duration(kind: Any, end: Any, precision: Any, w: Words) -> str:
    """A task's duration: its end, «løpende», or «ikke oppgitt»."""
    if str(kind) == "date" and not blank(end):
        return partial_date(end, precision, w)
    return w(f"agencies.end.{kind if kind in ('continuous', 'unknown') else 'unknown'}")


def phase_text(phase: pd.DataFrame, w: Words) -> str:
    """The snapshot's phase as 'Implementering (fra 2024)', or «ingen fase»."""
    if phase.empty:
        return w("agencies.no_phase")
    row = phase.iloc[0]
    name = w.enum(row["kind"], "MissionPhase")
    if blank(row["start"]):
        return name
    since = w("agencies.span.from", start=partial_date(row["start"], row["start_precision"], w))
    return f"{name} ({since})"


def tasks_report_table(tasks: pd.DataFrame, w: Words) -> pd.DataFrame:
    """The agencies' tasks as the report froze them: title, status, duration."""
    return pd.DataFrame(
        {
            w("agencies.col.task"): tasks["title"],
            w("col.status"): w.enums(tasks["status"], "TaskStatus"),
            w("agencies.col.duration"): [
                task_duration(k, e, p, w)
                for k, e, p in zip(
                    tasks["end_kind"], tasks["end"], tasks["end_precision"], strict=True
                )
            ],
        }
    )


def _task_end(row: dict[Any, Any], side: str, w: Words) -> str:
    return task_duration(
        row[f"end_kind_{side}"], row[f"end_{side}"], row[f"end_precision_{side}"], w
    )


def agency_change_tables(changes: Comparison, w: Words) -> dict[str, pd.DataFrame]:
    """The tasks whose status or end changed (or new, removed), and a phase change."""
    rows = changes.tasks.to_dict("records")
    return {
        "agencies.changes.tasks": pd.DataFrame(
            {
                w("agencies.col.task"): changes.tasks["title"],
                w("report.col.what"): [w(f"agencies.change.{c}") for c in changes.tasks["change"]],
                w("col.status"): [
                    w.enum(r["status_b"], "TaskStatus")
                    if r["change"] == "new"
                    else f"{w.enum(r['status_a'], 'TaskStatus')} → "
                    f"{w.enum(r['status_b'], 'TaskStatus')}"
                    for r in rows
                ],
                w("agencies.col.duration"): [
                    f"{_task_end(r, 'a', w)} → {_task_end(r, 'b', w)}"
                    if r["change"] == "changed"
                    else _task_end(r, "a" if r["change"] == "removed" else "b", w)
                    for r in rows
                ],
            }
        ),
        "agencies.changes.phase": pd.DataFrame(
            {
                w("report.col.before"): w.enums(changes.phase["kind_a"], "MissionPhase"),
                w("report.col.after"): w.enums(changes.phase["kind_b"], "MissionPhase"),
                w("agencies.start_date"): [
                    partial_date(v, p, w)
                    for v, p in zip(
                        changes.phase["start_b"], changes.phase["start_precision_b"], strict=True
                    )
                ],
            }
        ),
    }


def signed(value: float, lang: str) -> str:
    """A change with its sign: '+1 500', '−500'."""
    shown = number(value, lang)
    return shown if value < 0 else f"+{shown}"


def stream_words(w: Words, stream: Any, state: Any, funder: Any = None) -> str:
    """A funding stream in one line: 'Statsbudsjettet (tildelt), fra Forskningsrådet'."""
    shown = w(
        "funding.stream_line",
        stream=w.enum(stream, "FundingStream"),
        state=w.enum(state, "FundingState").lower(),
    )
    return shown if blank(funder) or not funder else w("funding.from", what=shown, funder=funder)


def funding_table(snapshot: Snapshot, w: Words) -> pd.DataFrame:
    """Each initiative with funding streams in the report, and its streams, one a line."""
    names = dict(zip(snapshot.initiatives["number"], snapshot.initiatives["name"], strict=True))
    streams: dict[int, list[str]] = {}
    for r in snapshot.funding.to_dict("records"):
        streams.setdefault(int(r["number"]), []).append(
            stream_words(w, r["stream"], r["state"], r["funder"])
        )
    return pd.DataFrame(
        {
            w("col.number"): list(streams),
            w("col.initiative"): [text(names.get(n)) for n in streams],
            w("funding.streams"): ["; ".join(s) for s in streams.values()],
        }
    )


def learning_table(snapshot: Snapshot, w: Words) -> pd.DataFrame:
    """A report's learning-log entries: when, which initiative, what was learnt, with whom."""
    names = dict(zip(snapshot.initiatives["number"], snapshot.initiatives["name"], strict=True))
    learning = snapshot.learning
    return pd.DataFrame(
        {
            w("learning.when"): [w.date(d) for d in learning["learnt_on"]],
            w("col.initiative"): [f"{n}. {text(names.get(n))}" for n in learning["number"]],
            w("learning.learnt"): learning["learnt"],
            w("learning.shared_with"): [text(s) for s in learning["shared_with"]],
        }
    )


def funding_change_table(changes: Comparison, w: Words) -> pd.DataFrame:
    """The initiatives whose funding streams changed, before and after."""

    def lines(streams: Any) -> str:
        if not isinstance(streams, list) or not streams:
            return w("method.not_assessed")
        return "; ".join(stream_words(w, *s.split("|", 2)) for s in streams)

    frame = changes.funding
    return pd.DataFrame(
        {
            w("col.number"): frame["number"],
            w("col.initiative"): [text(n) for n in frame["name"]],
            w("report.col.before"): [lines(s) for s in frame["streams_a"]],
            w("report.col.after"): [lines(s) for s in frame["streams_b"]],
        }
    )
