"""`python -m seed [--if-empty] [--synthetic N]`: load the real mission (and synthetic data)."""

import argparse

from sqlmodel import select

from dashboard.db import session_scope
from models import Mission
from seed.loader import load_real
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
        help="also add N synthetic copies of the portfolio",
    )
    args = parser.parse_args()
    with session_scope() as session:
        empty = session.exec(select(Mission.id)).first() is None
    if empty or not args.if_empty:
        load_real()
        print("Seed: the real mission is loaded.")
    if args.synthetic:
        added = add_synthetic(None, args.synthetic)
        print(f"Seed: {added} synthetic copies added.")


if __name__ == "__main__":
    main()
