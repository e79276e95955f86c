"""Demo accounts for the embedded default: one per role, with passwords generated on creation."""

from sqlalchemy import Engine
from sqlmodel import select

from dashboard.db import session_scope
from dashboard.services import audit
from dashboard.services.common import mission_by_key
from dashboard.services.missions import set_role
from dashboard.services.permissions import Actor
from dashboard.services.users import HASHER, new_password
from dashboard.settings import get_settings
from models import Organisation, Role, User
from seed.second_mission import give_demo_roles

# (role, e-mail, name, organisation key). The two operative accounts belong to directorates
# that report indicators, so one can enter values and the other approve them (four eyes).
DEMO_ACCOUNTS = [
    (Role.ADMIN, "sekretariat@demo.invalid", "Demo sekretariat", "Forskningsrådet"),
    (Role.STEERING, "styringsgruppe@demo.invalid", "Demo styringsgruppe", "BFD"),
    (Role.OPERATIVE, "operativ@demo.invalid", "Demo operativ gruppe (Avdir)", "Avdir"),
    (Role.OPERATIVE, "operativ2@demo.invalid", "Demo operativ gruppe (Bufdir)", "Bufdir"),
    (Role.PARTNER, "partner@demo.invalid", "Demo partner", "KS"),
]
SEED_ACTOR = Actor(id=None, email="seed", role=Role.ADMIN)


def ensure_demo_accounts(engine: Engine | None = None) -> list[tuple[Role, str, str]]:
    """Create the demo accounts that are missing; returns (role, e-mail, password) of new ones."""
    created = []
    with session_scope(write=True, engine=engine) as session:
        mission = mission_by_key(session, get_settings().mission_key)
        for role, email, name, org_key in DEMO_ACCOUNTS:
            if session.exec(select(User.id).where(User.email == email)).first() is not None:
                continue
            org = session.exec(select(Organisation.id).where(Organisation.key == org_key)).first()
            password = new_password()
            user = User(
                email=email,
                name=name,
                organisation_id=org,
                password_hash=HASHER.hash(password),
                global_admin=role == Role.ADMIN,  # the installation's one administrator
            )
            session.add(user)
            session.flush()
            assert user.id is not None
            if mission is not None and mission.id is not None:
                set_role(session, user.id, mission.id, role)
            audit.record(session, SEED_ACTOR, "create", "user", user.id, after={"email": email})
            created.append((role, email, password))
        give_demo_roles(session)  # and theirs in the synthetic second mission, if loaded
    return created
