"""`python -m seed [--if-empty] [--demo-accounts] [--synthetic N] [--second-mission]`: load the
mission (and, for tests, a synthetic portfolio and a synthetic second mission)."""

import argparse

from sqlmodel import select

from dashboard.db import session_scope
from models import Mission, Role
from seed.demo import ensure_demo_accounts
from seed.loader import load_real
from seed.second_mission import MISSION_KEY, add_second_mission
from seed.synthetic import add_synthetic


def main() -> None:
    """Parse the command line and load."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--if-empty", action="store_true", help="only when no mission exists yet")
    parser.add_argument(
        "--synthetic",
        type=int,
        default=0,
        metavar="N",
        help="also add N synthetic copies of the portfolio, and the synthetic second mission",
    )
    parser.add_argument(
        "--second-mission",
        action="store_true",
        help=f"also add the synthetic second mission ({MISSION_KEY}) without the copies",
    )
    parser.add_argument(
        "--demo-accounts",
        action="store_true",
        help="create one account per role (if missing) and print their passwords once",
    )
    args = parser.parse_args()
    with session_scope() as session:
        empty = session.exec(select(Mission.id)).first() is None
    if empty or not args.if_empty:
        load_real()
        print("Seed: the real mission is loaded.")
    if args.demo_accounts:
        print_accounts(ensure_demo_accounts())
    if args.synthetic:
        added = add_synthetic(None, args.synthetic)
        print(f"Seed: {added} synthetic copies added.")
    if args.synthetic or args.second_mission:
        add_second_mission()
        print(f"Seed: the synthetic second mission ({MISSION_KEY}) is loaded.")


def print_accounts(created: list[tuple[Role, str, str]]) -> None:
    """Show new demo accounts once; their passwords are stored only as Argon2 hashes."""
    if not created:
        return
    print("\nDemo accounts (the passwords are shown only now; keep them):")
    for role, email, password in created:
        print(f"  {role.value:<10} {email:<30} {password}")
    print()


if __name__ == "__main__":
    main()
