"""The layers stay as the design says; the server's config stays hardened."""

import ast
import tomllib
from pathlib import Path

from support.contrast import contrast, over

ROOT = Path(__file__).resolve().parents[2]


def imports(path: Path) -> set[str]:
    """Every module a Python file imports (top-level names and dotted)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_no_entry_script_beside_pages() -> None:
    # With a script next to pages/, Streamlit serves every page to a deep link before
    # st.navigation runs, bypassing the role gate.
    assert list(ROOT.glob("*.py")) == []
    assert (ROOT / "dashboard" / "app.py").exists()


def test_pages_use_no_sql_or_sessions() -> None:
    forbidden = ("sqlalchemy", "sqlmodel", "dashboard.db", "psycopg", "sqlite3")
    for page in ROOT.glob("pages/*.py"):
        bad = {m for m in imports(page) if m.startswith(forbidden)}
        assert bad == set(), page.name


def test_services_and_models_never_import_streamlit() -> None:
    for path in [*ROOT.glob("dashboard/services/**/*.py"), *ROOT.glob("models/*.py")]:
        assert not any(m.startswith("streamlit") for m in imports(path)), path


# A service module does one job; past this many lines it is doing several and is split along
# them, as snapshots and imports were (issue 18).
SERVICE_MAX_LINES = 600
# Longer already when the limit came in, held at their length then: split them, do not grow them.
LONGER_SERVICES = {"reporting.py": 623}


def test_no_service_module_is_longer_than_its_limit() -> None:
    services = ROOT / "dashboard" / "services"
    paths = list(services.glob("**/*.py"))
    assert len(paths) > 30  # the glob finds the modules, subpackages included
    lengths = {
        path.relative_to(services).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in paths
    }
    too_long = {
        name: length
        for name, length in lengths.items()
        if length > LONGER_SERVICES.get(name, SERVICE_MAX_LINES)
    }
    assert too_long == {}
    assert set(LONGER_SERVICES) <= set(lengths)  # an exception whose module is gone goes too


def test_models_import_nothing_of_ours() -> None:
    ours = ("dashboard", "seed", "pages", "bench")
    for path in ROOT.glob("models/*.py"):
        assert not any(m.startswith(ours) for m in imports(path)), path


def test_every_page_is_registered_in_navigation() -> None:
    from dashboard.ui.navigation import PAGES

    assert {spec.script for spec in PAGES} == {p.name for p in ROOT.glob("pages/*.py")}


def test_streamlit_config_is_hardened() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"
    assert config["global"]["developmentMode"] is False
    assert config["server"]["enableXsrfProtection"] is True


def test_the_bench_starts_the_server_as_make_run_does() -> None:
    from bench.server import run_command

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nrun:", 1)[1].splitlines()[1].split()
    assert recipe[0] == "$(BIN)/streamlit"
    port = recipe[recipe.index("--server.port") + 1]
    assert ["$(BIN)/" + run_command(int(port))[0], *run_command(int(port))[1:]] == recipe
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["fileWatcherType"] == "none"  # shipped, not passed by the bench


def test_every_restricted_page_starts_with_its_guard() -> None:
    from dashboard.ui.navigation import PAGES

    restricted = [spec for spec in PAGES if spec.action is not None]
    assert restricted, "no restricted page: the guard check would test nothing"
    for spec in restricted:
        tree = ast.parse((ROOT / "pages" / spec.script).read_text(encoding="utf-8"))
        body = [
            node
            for node in tree.body
            if not isinstance(node, ast.Import | ast.ImportFrom)
            and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        ]
        first = body[0]
        call = first.value if isinstance(first, ast.Assign | ast.Expr) else None
        assert isinstance(call, ast.Call) and ast.unparse(call.func) == "require", spec.script
        assert ast.unparse(call.args[0]) == f"Action.{spec.action.name}", spec.script


def test_each_role_is_offered_exactly_its_pages() -> None:
    from dashboard.ui.navigation import pages_for
    from models import Role

    everyone = ["start", "oversikt", "mal", "portefolje", "satsing", "organisasjoner"]
    everyone += ["indikatorer", "statusrapporter"]
    everyone += ["styring"]
    everyone += ["kunnskapsgrunnlag"]
    expected = {
        Role.PARTNER: [*everyone, "apne-data", "konto", "tilgjengelighet"],
        Role.OPERATIVE: [*everyone, "rapportering", "apne-data", "konto", "tilgjengelighet"],
        Role.STEERING: [*everyone, "apne-data", "konto", "tilgjengelighet"],
        Role.ADMIN: [*everyone, "administrasjon", "apne-data", "konto", "tilgjengelighet"],
    }
    for role, paths in expected.items():
        assert [spec.url_path for spec in pages_for(role)] == paths, role


def test_internal_roles_land_on_their_start_page_partners_on_the_overview() -> None:
    from dashboard.ui.navigation import PAGES
    from models import Role

    landing = {role: [s.url_path for s in PAGES if role in s.default_for] for role in Role}
    assert landing == {
        Role.PARTNER: ["oversikt"],
        Role.OPERATIVE: ["start"],
        Role.STEERING: ["start"],
        Role.ADMIN: ["start"],
    }


def test_the_garbage_collection_that_ships_is_the_measured_choice() -> None:
    """Freeze after each page's first run, and collect paced instead of after every run
    (dashboard/memory.py, bench/capacity.py, docs/design-notes.md «Capacity»)."""
    from dashboard.settings import Settings

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
    assert Settings.model_fields["gc_freeze"].default is True
    assert 0 < Settings.model_fields["gc_share"].default <= 0.2
    app = ast.parse((ROOT / "dashboard" / "app.py").read_text(encoding="utf-8"))
    calls = [statement.value for statement in app.body[-2:] if isinstance(statement, ast.Expr)]
    assert [ast.unparse(call) for call in calls if isinstance(call, ast.Call)] == [
        "freeze_start_up_objects(page.url_path)",
        "collect_garbage()",
    ]


def test_each_limit_and_character_class_is_defined_once() -> None:
    # REASON_MAX_LENGTH stood in models and services, the audit's EMAIL_MAX beside the models'
    # EMAIL_MAX_LENGTH, its control characters beside models.fields' (which it missed
    # bidirectional and zero-width ones of), and imports._restore beside exports.restore
    import re

    from dashboard.services import exports
    from dashboard.services.imports import upload

    sources = [*ROOT.glob("dashboard/**/*.py"), *ROOT.glob("models/*.py")]
    limits: dict[str, list[str]] = {}
    for path in sources:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                if isinstance(target, ast.Name) and re.fullmatch(r"[A-Z_]*MAX[A-Z_]*", target.id):
                    limits.setdefault(target.id, []).append(path.name)
    assert {name: files for name, files in limits.items() if len(files) > 1} == {}
    assert [name for name in limits if name.startswith("EMAIL_MAX")] == ["EMAIL_MAX_LENGTH"]
    character_classes = [
        path.name
        for path in sources
        if re.search(r"re\.compile\([^)]*\\x00", path.read_text(encoding="utf-8"))
    ]
    assert character_classes == ["fields.py"]
    assert upload.restore is exports.restore


def test_the_theme_gives_faded_text_and_the_primary_colour_aa_contrast() -> None:
    """Captions and sidebar notes are the text colour at 60 % (Streamlit's fadedText60), on
    the page (white) and in the sidebar (#f0f2f6); the selected segmented control is the primary
    colour on a 10 % tint of itself; a primary button is white on the primary colour."""
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))[
        "theme"
    ]
    text, primary = theme["textColor"], theme["primaryColor"]
    for background in ("#ffffff", "#f0f2f6"):
        assert contrast(over(text, background, 0.6), background) >= 4.5
        assert contrast(text, background) >= 7
    assert contrast(primary, over(primary, "#ffffff", 0.1)) >= 4.5
    assert contrast("#ffffff", primary) >= 4.5


def test_every_choice_says_its_placeholder_in_the_readers_language() -> None:
    """Streamlit's own placeholders are English («Choose an option», «Choose options»): every
    selectbox and multiselect passes one, or goes through a helper that does (issue 15)."""
    missing = []
    for path in [*ROOT.glob("pages/*.py"), *ROOT.glob("dashboard/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"selectbox", "multiselect"}
            ):
                continue
            given = {keyword.arg for keyword in node.keywords}
            # **kwargs: the helper (url_state, framework._pick) sets a default placeholder
            if "placeholder" not in given and None not in given:
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert missing == []
