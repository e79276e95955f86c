"""What each open-data table holds: its fields, their types and meaning, and its keys, as a
Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/)."""

from dataclasses import dataclass, field
from typing import Any

MISSING = ""  # how CSV writes a missing value (JSON writes null)


@dataclass(frozen=True)
class Column:
    """One field of a table: name, Table Schema type, what it means, and its unit if fixed."""

    name: str
    type: str
    description: str
    unit: str | None = None
    required: bool = False
    values: tuple[str, ...] = ()  # the codes the field may hold, when it is a code list

    def descriptor(self) -> dict[str, Any]:
        """The field as Table Schema writes it (a unit as the custom property "unit")."""
        found: dict[str, Any] = {"name": self.name, "type": self.type}
        found["description"] = self.description
        if self.type == "array":
            found["description"] += " (in CSV: a JSON array)"
        if self.unit:
            found["unit"] = self.unit
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.values:
            constraints["enum"] = list(self.values)
        if constraints:
            found["constraints"] = constraints
        return found


@dataclass(frozen=True)
class Table:
    """One resource of the package: its name, title, description, columns and keys."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    # (fields here, resource referred to ("" for this one), fields there)
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = field(default=())

    @property
    def names(self) -> list[str]:
        """The column names in order."""
        return [c.name for c in self.columns]

    def schema(self) -> dict[str, Any]:
        """The table's Table Schema."""
        found: dict[str, Any] = {
            "fields": [c.descriptor() for c in self.columns],
            "missingValues": [MISSING],
        }
        if self.primary_key:
            found["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            found["foreignKeys"] = [
                {"fields": list(here), "reference": {"resource": other, "fields": list(there)}}
                for here, other, there in self.foreign_keys
            ]
        return found


def _c(name: str, kind: str, description: str, **more: Any) -> Column:
    return Column(name, kind, description, **more)


YEAR = "year"
PERIOD = _c("period", "string", "The reporting period's label (e.g. 2025)", required=True)
PERIOD_DATES = (
    _c("period_start", "date", "The period's first day"),
    _c("period_end", "date", "The period's last day"),
)
VALUE_NOTE = "in the indicator's unit (column unit of indicators)"

GOALS = Table(
    "goals",
    "Goals",
    "The mission's goal tree: the main goal, its goals and their subgoals.",
    (
        _c("code", "string", "The goal's code (1, 1.2, ...)", required=True),
        _c("parent_code", "string", "The code of the goal above (empty for the main goal)"),
        _c("level", "string", "main, goal or subgoal", values=("main", "goal", "subgoal")),
        _c("title", "string", "The goal's wording", required=True),
        _c("description", "string", "What the goal means"),
        _c("proposal", "boolean", "true: a proposed wording, not yet adopted"),
        _c("note", "string", "A note on the goal"),
        _c("sort_order", "integer", "The goal's place among its siblings"),
    ),
    primary_key=("code",),
    foreign_keys=((("parent_code",), "", ("code",)),),
)
ORGANISATIONS = Table(
    "organisations",
    "Organisations",
    "The organisations that take part in the mission's initiatives or report its indicators.",
    (
        _c("key", "string", "The organisation's stable key", required=True),
        _c("short_name", "string", "Short name (Udir, Bufdir, KS, ...)", required=True),
        _c("name", "string", "Full name in Norwegian", required=True),
        _c("name_en", "string", "Full name in English"),
        _c("kind", "string", "ministry, directorate, county, municipality, ngo, research, ..."),
    ),
    primary_key=("key",),
)
INITIATIVES = Table(
    "initiatives",
    "Initiatives",
    "The portfolio: the initiatives (satsinger) that contribute to the mission.",
    (
        _c("number", "integer", "The initiative's number in the portfolio", required=True),
        _c("name", "string", "The initiative's name", required=True),
        _c("description", "string", "A short description"),
        _c("status", "string", "planned, ongoing, completed or unknown"),
        _c("start_year", "integer", "The year it started", unit=YEAR),
        _c("end_year", "integer", "The year it ends", unit=YEAR),
        _c("scope", "string", "national, regional or local"),
        _c("region", "string", "The region, for a regional or local initiative"),
        _c("category", "integer", "Halogen's goal category (1-9)"),
        _c("focus", "array", "Focus types (policy instruments, services, competence, research)"),
        _c("orientation", "string", "prevent, repair or both"),
        _c("arenas", "array", "Arenas: education, work, community life"),
        _c("system_levels", "array", "The system levels it works on (empty: not assessed)"),
        _c("link", "string", "A web page about the initiative"),
        _c("note", "string", "A note on the initiative"),
    ),
    primary_key=("number",),
)
INITIATIVE_ORGANISATIONS = Table(
    "initiative_organisations",
    "Organisations of the initiatives",
    "Which organisation is responsible for, or involved in, which initiative.",
    (
        _c("initiative", "integer", "The initiative's number", required=True),
        _c("organisation", "string", "The organisation's key", required=True),
        _c("role", "string", "responsible or involved", values=("responsible", "involved")),
    ),
    primary_key=("initiative", "organisation", "role"),
    foreign_keys=(
        (("initiative",), "initiatives", ("number",)),
        (("organisation",), "organisations", ("key",)),
    ),
)
CONTRIBUTIONS = Table(
    "contributions",
    "Contributions to goals",
    "How each initiative contributes to the goals: directly or indirectly, and how strongly.",
    (
        _c("initiative", "integer", "The initiative's number", required=True),
        _c("goal", "string", "The goal's code", required=True),
        _c("kind", "string", "direct or indirect", values=("direct", "indirect")),
        _c("strength", "integer", "How strongly it contributes, 1 (weak) to 3 (strong)"),
        _c("proposal", "boolean", "true: a proposed contribution, not yet agreed"),
        _c("rationale", "string", "Why the initiative contributes to the goal"),
    ),
    primary_key=("initiative", "goal"),
    foreign_keys=(
        (("initiative",), "initiatives", ("number",)),
        (("goal",), "goals", ("code",)),
    ),
)
LINKS = Table(
    "initiative_links",
    "Links between initiatives",
    "Synergies, dependencies, overlaps, shared target groups, co-funding and successors.",
    (
        _c("from_initiative", "integer", "The number of the initiative the link starts at"),
        _c("to_initiative", "integer", "The number of the initiative it points to"),
        _c("kind", "string", "synergy, dependency, overlap, shared_target_group, ..."),
        _c("note", "string", "A note on the link"),
    ),
    primary_key=("from_initiative", "to_initiative", "kind"),
    foreign_keys=(
        (("from_initiative",), "initiatives", ("number",)),
        (("to_initiative",), "initiatives", ("number",)),
    ),
)
INDICATORS = Table(
    "indicators",
    "Indicators",
    "What tells whether things get better: definition, unit, source, baseline and target.",
    (
        _c("code", "string", "The indicator's code", required=True),
        _c("name", "string", "The indicator's name", required=True),
        _c("definition", "string", "What is measured, and how"),
        _c("unit", "string", "The unit of its values, baseline and target"),
        _c("measure", "string", "count, percent, rate or score"),
        _c("direction", "string", "up or down: which way is better", values=("up", "down")),
        _c("source", "string", "Where the figures come from"),
        _c("source_table", "string", "The source's table (e.g. an SSB table)"),
        _c("frequency", "string", "How often it is measured"),
        _c("level", "string", "outcome (in the population) or output (of an initiative)"),
        _c("baseline_value", "number", f"The baseline, {VALUE_NOTE} (empty: withheld)"),
        _c("baseline_year", "integer", "The baseline's year", unit=YEAR),
        _c("baseline_note", "string", "A note on the baseline"),
        _c("target_value", "number", f"The target, {VALUE_NOTE}"),
        _c("target_year", "integer", "The year the target is for", unit=YEAR),
        _c("tolerance", "number", "How far from the straight line to the target still counts"),
        _c("responsible", "string", "The key of the organisation that reports it"),
        _c("initiative", "integer", "The initiative an output indicator belongs to"),
        _c("note", "string", "A note on the indicator"),
    ),
    primary_key=("code",),
    foreign_keys=(
        (("responsible",), "organisations", ("key",)),
        (("initiative",), "initiatives", ("number",)),
    ),
)
INDICATOR_GOALS = Table(
    "indicator_goals",
    "Indicators of the goals",
    "Which indicators tell about which goals.",
    (
        _c("indicator", "string", "The indicator's code", required=True),
        _c("goal", "string", "The goal's code", required=True),
    ),
    primary_key=("indicator", "goal"),
    foreign_keys=(
        (("indicator",), "indicators", ("code",)),
        (("goal",), "goals", ("code",)),
    ),
)
VALUES = Table(
    "values",
    "Indicator values",
    "The approved value of each indicator in each period, for the whole country. A value "
    "waiting for approval, or a correction of an approved one, is not here until approved.",
    (
        _c("indicator", "string", "The indicator's code", required=True),
        PERIOD,
        *PERIOD_DATES,
        _c("value", "number", f"The value, {VALUE_NOTE} (empty: withheld)"),
        _c("unit", "string", "The indicator's unit"),
        _c("source_note", "string", "Where this value comes from"),
    ),
    primary_key=("indicator", "period"),
    foreign_keys=((("indicator",), "indicators", ("code",)),),
)
BREAKDOWNS = Table(
    "breakdowns",
    "Indicator values by region, gender and age",
    "The approved figures from Statistics Norway (SSB) of each indicator that has them, by "
    "region, gender, age group and year, as SSB's table gives them. A figure from fewer than "
    "SUPPRESS_BELOW persons, or one that would give such a figure back from a total, is "
    "withheld: no value and the symbol «:».",
    (
        _c("indicator", "string", "The indicator's code", required=True),
        _c(
            "region",
            "string",
            "SSB's region code: 0 the whole country, two digits a county, four a municipality",
            required=True,
        ),
        _c("gender", "string", "SSB's gender code: 0 both, 1 men, 2 women", required=True),
        _c("age", "string", "SSB's age group code, e.g. 15-29", required=True),
        _c("year", "integer", "The year", required=True),
        _c("value", "number", f"The value, {VALUE_NOTE} (empty: see symbol)"),
        _c(
            "symbol",
            "string",
            "SSB's symbol where there is no value: «.» not possible, «..» not available yet, "
            "«...» not applicable, «:» withheld (too few persons), «-» nothing to report",
        ),
    ),
    primary_key=("indicator", "region", "gender", "age", "year"),
    foreign_keys=((("indicator",), "indicators", ("code",)),),
)
REPORTS = Table(
    "status_reports",
    "Published status reports",
    "The status reports the steering group has approved (published), one per period.",
    (
        PERIOD,
        *PERIOD_DATES,
        _c("approved_at", "datetime", "When the steering group approved it (UTC)"),
        _c("summary", "string", "The report's summary"),
        _c("decisions_requested", "string", "What the report asked the steering group to decide"),
    ),
    primary_key=("period",),
)
OF_REPORT = ((("period",), "status_reports", ("period",)),)
REPORT_GOALS = Table(
    "report_goals",
    "Goal statuses in the published reports",
    "Each goal's status as it stood when its report was approved, with any override by the "
    "steering group and its justification.",
    (
        PERIOD,
        _c("goal", "string", "The goal's code when the report was approved", required=True),
        _c("title", "string", "The goal's wording then"),
        _c("depth", "integer", "0 for the main goal, 1 below it, ..."),
        _c("indicators", "integer", "Indicators of the goal or below it"),
        _c("initiatives", "integer", "Initiatives contributing to the goal or below it"),
        _c("computed_status", "string", "The status computed from indicators and initiatives"),
        _c("override_status", "string", "The steering group's status, when it overrode it"),
        _c("override_justification", "string", "Why the steering group overrode it"),
    ),
    primary_key=("period", "goal"),
    foreign_keys=OF_REPORT,
)
REPORT_INDICATORS = Table(
    "report_indicators",
    "Indicator rows of the published reports",
    "Each indicator's latest approved value and status against its target as they stood when "
    "the report was approved.",
    (
        PERIOD,
        _c("indicator", "string", "The indicator's code then", required=True),
        _c("name", "string", "The indicator's name then"),
        _c("measure", "string", "count, percent, rate or score"),
        _c("unit", "string", "The indicator's unit"),
        _c("baseline_value", "number", f"The baseline, {VALUE_NOTE} (empty: withheld)"),
        _c("baseline_year", "integer", "The baseline's year", unit=YEAR),
        _c("target_value", "number", f"The target, {VALUE_NOTE}"),
        _c("target_year", "integer", "The target's year", unit=YEAR),
        _c("value", "number", f"The latest approved value then, {VALUE_NOTE} (empty: withheld)"),
        _c("value_period", "string", "The period that value is for"),
        _c("progress_status", "string", "Its status against the target then"),
        _c("direction", "string", "up or down: which way is better"),
        _c("responsible", "string", "The short name of the organisation that reports it"),
        _c("corrected_period", "string", "A period whose earlier reported value was corrected"),
        _c("corrected_from", "number", f"The value the earlier report showed, {VALUE_NOTE}"),
        _c("corrected_to", "number", f"The corrected value, {VALUE_NOTE}"),
    ),
    primary_key=("period", "indicator"),
    foreign_keys=OF_REPORT,
)
REPORT_DECISIONS = Table(
    "report_decisions",
    "Decisions in the published reports",
    "The steering group's decisions and their follow-up as they stood when the report was "
    "approved.",
    (
        PERIOD,
        _c("title", "string", "The decision", required=True),
        _c("owner", "string", "The short name of the organisation that follows it up"),
        _c("decided_on", "date", "When it was decided"),
        _c("due", "date", "When it is due"),
        _c("status", "string", "The decision's status then"),
        _c("follow_up", "string", "How it is followed up"),
        _c("goals", "string", "The codes of the goals it concerns, comma-separated"),
        _c("initiatives", "string", "The numbers of the initiatives it concerns"),
    ),
    foreign_keys=OF_REPORT,
)
TABLES: tuple[Table, ...] = (
    GOALS,
    ORGANISATIONS,
    INITIATIVES,
    INITIATIVE_ORGANISATIONS,
    CONTRIBUTIONS,
    LINKS,
    INDICATORS,
    INDICATOR_GOALS,
    VALUES,
    BREAKDOWNS,
    REPORTS,
    REPORT_GOALS,
    REPORT_INDICATORS,
    REPORT_DECISIONS,
)
BY_NAME = {table.name: table for table in TABLES}
