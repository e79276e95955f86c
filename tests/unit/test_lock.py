"""The install is the same every time: every package comes pinned, with hashes, from the lock file,
and the lock file satisfies what pyproject.toml asks for."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"


def pins() -> dict[str, tuple[str, list[str]]]:
    """Each locked package's version and hashes, by canonical name."""
    found: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text(encoding="utf-8")):
        if block.startswith("#"):
            continue
        name, _, version = block.split(" ", 1)[0].partition("==")
        found[canonicalize_name(name)] = (
            version,
            re.findall(r"--hash=sha256:([0-9a-f]{64})", block),
        )
    return found


def test_every_locked_package_is_pinned_with_hashes() -> None:
    locked = pins()
    assert len(locked) > 50
    for name, (version, hashes) in locked.items():
        assert re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version), name
        assert hashes, f"{name} has no hash"


def test_the_lock_satisfies_every_requirement_of_the_project() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    locked = pins()
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is not in requirements.lock: run make lock"
        version = locked[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{requirement.name}=={version} in the lock does not meet {line}: run make lock"
        )


def test_make_installs_only_from_the_lock_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = [line.strip() for line in makefile.splitlines() if "pip install" in line]
    assert installs, "the Makefile installs nothing"
    for line in installs:
        assert "--no-deps" in line, line
        assert ("-r $(LOCK)" in line and "--require-hashes" in line) or "-e ." in line, line
    assert "LOCK := requirements.lock" in makefile
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci and "pip install" not in ci
