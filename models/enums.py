"""Enumerations of the domain. Codes are English; the UI translates them."""

from enum import StrEnum


class OrganisationKind(StrEnum):
    MINISTRY = "ministry"
    DIRECTORATE = "directorate"
    COUNTY = "county"
    MUNICIPALITY = "municipality"
    NGO = "ngo"
    RESEARCH = "research"
    FOUNDATION = "foundation"
    OTHER = "other"


class MissionPhase(StrEnum):
    DESIGN = "design"
    IMPLEMENTATION = "implementation"
    EXECUTION = "execution"


class GoalLevel(StrEnum):
    MAIN = "main"
    GOAL = "goal"
    SUBGOAL = "subgoal"


class CategoryScope(StrEnum):
    OVERARCHING = "overarching"
    LIMITED = "limited"


class InitiativeStatus(StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    COMPLETED = "completed"
    UNKNOWN = "unknown"


class Scope(StrEnum):
    NATIONAL = "national"
    REGIONAL = "regional"
    LOCAL = "local"


class FocusType(StrEnum):
    POLICY = "policy"
    SERVICES = "services"
    COMPETENCE = "competence"
    RESEARCH = "research"


class Orientation(StrEnum):
    PREVENT = "prevent"
    REPAIR = "repair"
    BOTH = "both"


class Arena(StrEnum):
    EDUCATION = "education"
    WORK = "work"
    COMMUNITY = "community"


class SystemLevel(StrEnum):
    """The system iceberg's levels (seeds 004 and 000), from the surface to the deepest."""

    VISIBLE_CHALLENGES = "visible_challenges"
    HOW_WE_WORK = "how_we_work"
    RULES_AND_STRUCTURES = "rules_and_structures"
    MENTAL_MODELS = "mental_models"


class InvolvementPhase(StrEnum):
    """The phases of an initiative in which young people take part."""

    DESIGN = "design"  # idea and design
    DEVELOPMENT = "development"
    IMPLEMENTATION = "implementation"
    EVALUATION = "evaluation"


class ParticipantBand(StrEnum):
    """Roughly how many take part, as an order of magnitude."""

    UNDER_10 = "under_10"
    TENS = "tens"  # 10-99
    HUNDREDS = "hundreds"  # 100-999
    THOUSANDS = "thousands"  # 1000 or more


class CategoryConfidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"


class OrganisationRole(StrEnum):
    RESPONSIBLE = "responsible"
    INVOLVED = "involved"


class ContributionKind(StrEnum):
    DIRECT = "direct"
    INDIRECT = "indirect"


class LinkKind(StrEnum):
    SYNERGY = "synergy"
    DEPENDENCY = "dependency"
    OVERLAP = "overlap"
    SHARED_TARGET_GROUP = "shared_target_group"
    CO_FUNDING = "co_funding"
    SUCCESSOR = "successor"
    PART_OF = "part_of"


class Measure(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    RATE = "rate"
    SCORE = "score"


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


class Frequency(StrEnum):
    ANNUAL = "annual"
    TERTIAL = "tertial"
    QUARTERLY = "quarterly"
    IRREGULAR = "irregular"


class IndicatorLevel(StrEnum):
    OUTCOME = "outcome"
    OUTPUT = "output"


class PeriodKind(StrEnum):
    ANNUAL = "annual"
    TERTIAL = "tertial"
    QUARTERLY = "quarterly"


class EntryStatus(StrEnum):
    """Workflow state of an indicator value or a check-in."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class ProgressStatus(StrEnum):
    """Status of an indicator or goal against its target (design section 6)."""

    REACHED = "reached"
    ON_TRACK = "on_track"
    SOME_PROGRESS = "some_progress"
    OFF_TRACK = "off_track"
    WORSENING = "worsening"
    NO_TARGET = "no_target"  # a value and a baseline, but no target to measure against
    NO_BASELINE = "no_baseline"  # a value, but no baseline with a year to measure from
    NO_DATA = "no_data"


class DecisionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class BodyKind(StrEnum):
    COMMISSIONER = "commissioner"
    PROJECT_OWNER = "project_owner"
    STEERING_GROUP = "steering_group"
    PROJECT_GROUP = "project_group"
    OPERATIVE_GROUP = "operative_group"
    SECRETARIAT = "secretariat"
    CORE_GROUP = "core_group"
    AGENCY_GROUP = "agency_group"
    KNOWLEDGE_PROVIDER = "knowledge_provider"
    WORKING_COMMITTEE = "working_committee"
    PROGRAMME = "programme"


class DeliverableStatus(StrEnum):
    DELIVERED = "delivered"
    PLANNED = "planned"
    UNCLEAR = "unclear"


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"  # a phase «2023/2024», «from 2024»


class TaskStatus(StrEnum):
    """Where one of the agencies' cooperation tasks (etatssamarbeidet) stands."""

    ONGOING = "ongoing"
    ENDED = "ended"
    PLANNED = "planned"
    UNKNOWN = "unknown"


class TaskEnd(StrEnum):
    """How a task's duration is given: an end date, «løpende» (no end), or not given."""

    DATE = "date"
    CONTINUOUS = "continuous"
    UNKNOWN = "unknown"


class TaskRole(StrEnum):
    """An organisation's part in a task: lead (hovedansvar) or participant (deltaker)."""

    LEAD = "lead"
    PARTICIPANT = "participant"


class FindingTheme(StrEnum):
    PRACTICE = "practice"
    ORGANISATION = "organisation"
    FRAMEWORK = "framework"


class Role(StrEnum):
    PARTNER = "partner"
    OPERATIVE = "operative"
    STEERING = "steering"
    ADMIN = "admin"


class NotificationKind(StrEnum):
    """What a mail tells."""

    ENTRY_SUBMITTED = "entry_submitted"  # values or check-ins wait for approval
    CORRECTION_WAITING = "correction_waiting"  # a correction of an approved figure waits
    ENTRY_RETURNED = "entry_returned"
    REPORT_SUBMITTED = "report_submitted"
    REPORT_RETURNED = "report_returned"
    REPORT_APPROVED = "report_approved"
    REMINDER_DUE = "reminder_due"
    REMINDER_OVERDUE = "reminder_overdue"
    DECISION_DUE = "decision_due"
    DECISION_OVERDUE = "decision_overdue"


class Topic(StrEnum):
    """What a person chooses to be told about (each a few kinds)."""

    TO_APPROVE = "to_approve"
    RETURNED = "returned"
    REPORTS = "reports"
    REMINDERS = "reminders"
    DECISIONS = "decisions"


class Delivery(StrEnum):
    """How a person wants a topic: not at all, at once, or in one mail a day."""

    OFF = "off"
    IMMEDIATE = "immediate"
    DAILY = "daily"


class OutboxStatus(StrEnum):
    """Where a mail is: waiting, being sent, sent, or not (with the error)."""

    QUEUED = "queued"
    RETRYING = "retrying"  # failed, tried again after a back-off
    SENDING = "sending"  # claimed by a sender, which has not recorded the result yet
    SENT = "sent"
    FAILED = "failed"  # given up after MAX_ATTEMPTS
    UNCERTAIN = "uncertain"  # the sender stopped between sending and recording: not sent again
    DROPPED = "dropped"  # the recipient may no longer be told (deactivated, or not allowed)


class FundingStream(StrEnum):
    """The streams of Halogen's model (seed 001), research council funding (Forskningsrådet
    manages money from several ministries, seed 001) and other."""

    STATE_BUDGET = "state_budget"  # midler tildelt over statsbudsjettet
    GRANT_SCHEME = "grant_scheme"  # tilskuddsordninger
    DISCRETIONARY_FUNDS = "discretionary_funds"  # skjønnsmidler
    MUNICIPAL_BLOCK_GRANT = "municipal_block_grant"  # kommuneramme
    OWN_INCOME = "own_income"  # egen inntekt
    OWNER_FUNDS = "owner_funds"  # midler fra eiervirksomhet
    MEMBER_FUNDS = "member_funds"  # midler fra medlemmer
    FOUNDATION_FUNDS = "foundation_funds"  # midler fra stiftelser
    RESEARCH_COUNCIL = "research_council"  # Forskningsrådet
    OTHER = "other"


class FundingState(StrEnum):
    """Halogen's split: money that is allocated (tildeles) or that must be applied for (må søke)."""

    ALLOCATED = "allocated"
    APPLIED_FOR = "applied_for"
