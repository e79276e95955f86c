"""The start page of each role ("Min side"): sections of items, most urgent first, each a link
to where it is done; an empty section says so in one line."""

from dashboard.services.permissions import Actor
from dashboard.ui.start.admin import admin_view
from dashboard.ui.start.operative import operative_view
from dashboard.ui.start.partner import partner_view
from dashboard.ui.start.steering import steering_view
from models import Mission, Role


def intro_key(role: Role) -> str:
    """The one-line introduction of the start page for a role."""
    return f"start.intro.{role.value}"


def start_view(actor: Actor, mission: Mission) -> None:
    """The start page's sections for the actor's role."""
    assert mission.id is not None
    if actor.role == Role.STEERING:
        steering_view(mission)
    elif actor.role == Role.OPERATIVE:
        operative_view(actor, mission.id)
    elif actor.role == Role.ADMIN:
        admin_view(actor, mission.id)
    else:
        partner_view(mission.id)
