"""No module in the services or in shared/ grows past 300 lines: a longer one is split by role into modules that say
what they hold (docs/architecture.md, "Rooms"). Migrations are generated history and do not count."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
MAX_LINES = 300


def modules() -> list[Path]:
    found = []
    for top in ("services", "shared"):
        found += [path for path in (ROOT / top).rglob("*.py") if "migrations" not in path.relative_to(ROOT).parts]
    return found


def test_the_guard_sees_the_modules():
    names = {path.relative_to(ROOT).as_posix() for path in modules()}
    assert {"services/registration/service.py", "shared/messaging/contracts.py"} <= names
    assert not any("/migrations/" in name for name in names)


def test_no_module_is_over_300_lines():
    too_long = {}
    for path in modules():
        with path.open(encoding="utf-8") as lines:
            count = sum(1 for _ in lines)
        if count > MAX_LINES:
            too_long[path.relative_to(ROOT).as_posix()] = count
    assert too_long == {}, f"split these by role into modules of at most {MAX_LINES} lines: {too_long}"
