"""Who may do what: one table of role x action, checked by every command (design section 2)."""

from dataclasses import dataclass
from enum import StrEnum

from models import Role


class Action(StrEnum):
    """Everything a command can do that not every role may."""

    READ_UNAPPROVED = "read_unapproved"
    ENTER_VALUES = "enter_values"  # values and check-ins of one's own organisation
    APPROVE_VALUES = "approve_values"  # other people's entries (four eyes)
    DRAFT_REPORT = "draft_report"
    APPROVE_REPORT = "approve_report"
    OVERRIDE_GOAL_STATUS = "override_goal_status"
    RECORD_DECISION = "record_decision"
    REOPEN_PERIOD = "reopen_period"
    MANAGE_USERS = "manage_users"
    MANAGE_FRAMEWORK = "manage_framework"
    MANAGE_PORTFOLIO = "manage_portfolio"  # contributions to goals and links between initiatives
    MANAGE_PERIODS = "manage_periods"
    IMPORT = "import"
    READ_AUDIT = "read_audit"


READ = frozenset({Action.READ_UNAPPROVED})
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.PARTNER: frozenset(),
    Role.OPERATIVE: READ
    | {Action.ENTER_VALUES, Action.APPROVE_VALUES, Action.DRAFT_REPORT, Action.MANAGE_PORTFOLIO},
    Role.STEERING: READ
    | {
        Action.APPROVE_REPORT,
        Action.OVERRIDE_GOAL_STATUS,
        Action.RECORD_DECISION,
        Action.REOPEN_PERIOD,
    },
    Role.ADMIN: READ
    | {
        Action.MANAGE_USERS,
        Action.MANAGE_FRAMEWORK,
        Action.MANAGE_PORTFOLIO,
        Action.MANAGE_PERIODS,
        Action.IMPORT,
        Action.READ_AUDIT,
        Action.REOPEN_PERIOD,
    },
}
# The roles that work inside the mission (operative group, steering group, secretariat): they
# see values hidden from publication by small-number suppression, marked as such; partners and
# visitors who have not signed in do not.
INTERNAL_ROLES = frozenset({Role.OPERATIVE, Role.STEERING, Role.ADMIN})
# Actions limited to the actor's own organisation (it must match the data's organisation).
ORGANISATION_SCOPED = frozenset({Action.ENTER_VALUES})


@dataclass(frozen=True)
class Actor:
    """The person behind a command; an anonymous visitor has no id and the partner role.

    role is the person's role in mission_id: a command by an actor of one mission can write
    nothing of another (dashboard.services.mission_guard). An actor of no mission (the command
    line, the mail sender) is not held to one. global_admin: the person may create missions.
    """

    id: int | None
    email: str | None
    role: Role
    organisation_id: int | None = None
    mission_id: int | None = None
    global_admin: bool = False


ANONYMOUS = Actor(id=None, email=None, role=Role.PARTNER)


class PermissionDenied(Exception):
    """The actor's role or organisation does not allow the action."""

    def __init__(self, actor: Actor, action: Action) -> None:
        super().__init__(f"{actor.role.value} may not {action.value}")
        self.actor = actor
        self.action = action


def allowed(actor: Actor, action: Action, *, organisation_id: int | None = None) -> bool:
    """Whether actor may do action (on data of organisation_id, for scoped actions)."""
    if action not in PERMISSIONS[actor.role]:
        return False
    if action in ORGANISATION_SCOPED:
        return actor.organisation_id is not None and actor.organisation_id == organisation_id
    return True


def sees_suppressed(who: Actor | Role) -> bool:
    """Whether who (an actor or a role) sees the values small-number suppression hides from
    publication (dashboard.statistics.suppression): the internal roles do, marked; partners and
    visitors see «:» instead."""
    role = who.role if isinstance(who, Actor) else who
    return role in INTERNAL_ROLES
