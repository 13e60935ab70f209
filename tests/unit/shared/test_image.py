"""The image is lean: its final stage installs the run-time lock (requirements/base.txt) from the builder's wheels and
nothing else, holds no compiler and runs as a user; the run-time lock holds no test, lint or bench tool; every lock
pins every package with hashes, and the image, `make run` and `make test` get the same versions; every run-time
dependency is used."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
REQUIREMENTS = ROOT / "requirements"
DEV_TOOLS = {"pytest", "ruff", "playwright", "hypothesis", "schemathesis", "import-linter", "honcho"}
COMPILERS = {"build-essential", "gcc", "g++", "clang", "make", "cpp", "libc6-dev", "python3-dev"}


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments left out."""
    joined = re.sub(r"\\\n\s*", " ", "\n".join(line for line in dockerfile.splitlines() if not line.startswith("#")))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            found.append((keyword.upper(), arguments.strip()))
    return found


def stages(dockerfile: str) -> dict[str, list[tuple[str, str]]]:
    """Each stage's instructions by stage name (the last one also as 'final'), FROM included."""
    named: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for keyword, arguments in instructions(dockerfile):
        if keyword == "FROM":
            name = arguments.split()[-1] if " as " in arguments.lower() else str(len(named))
            current = named[name] = []
        if current is not None:
            current.append((keyword, arguments))
    named["final"] = current or []
    return named


def runs(stage: list[tuple[str, str]]) -> str:
    return "\n".join(arguments for keyword, arguments in stage if keyword == "RUN")


def apt_packages(stage: list[tuple[str, str]]) -> set[str]:
    packages = set()
    for command in re.findall(r"apt-get install ([^&;]*)", runs(stage)):
        packages |= {word for word in command.split() if not word.startswith("-")}
    return packages


def locked(name: str) -> dict[str, set[str]]:
    """Package name -> the versions a lock pins (one per Python where the universal lock splits on a marker)."""
    text = (REQUIREMENTS / name).read_text()
    pins: dict[str, set[str]] = {}
    for requirement in re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?==[^ ;\\\n]+)", text, flags=re.M):
        package, version = requirement.split("==")
        pins.setdefault(normalise(package), set()).add(version)
    return pins


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", re.sub(r"\[.*\]", "", name)).lower()


def top_level(name: str) -> set[str]:
    """The packages an .in file names itself (not the files it includes)."""
    lines = (REQUIREMENTS / name).read_text().splitlines()
    return {normalise(line.split("==")[0]) for line in lines if line and not line.startswith(("#", "-"))}


DOCKERFILE = (ROOT / "Dockerfile").read_text()
STAGES = stages(DOCKERFILE)


def test_the_builder_makes_wheels_of_the_run_time_lock_only():
    builder = STAGES["builder"]
    assert ("COPY", "requirements/base.txt requirements/base.txt") in builder
    assert re.search(r"pip wheel --require-hashes --wheel-dir /wheels -r requirements/base.txt$", runs(builder))
    assert len(re.findall(r"\bpip\b", runs(builder))) == 1


def test_the_final_stage_installs_the_builders_wheels_and_nothing_else():
    final = STAGES["final"]
    assert final is not STAGES["builder"]
    installs = [line for line in runs(final).splitlines() if re.search(r"\bpip3? install\b", line)]
    assert len(installs) == 1
    install = installs[0]
    assert "--mount=type=bind,from=builder,source=/wheels,target=/wheels" in install
    assert re.search(r"pip install --no-index --no-deps /wheels/\*\.whl( |$)", install)
    # no package named on the command line, no other requirements file, no index to fetch from
    assert not re.search(r"(-r|--requirement|--index-url|--extra-index-url|-i)\s", install)
    copied = " ".join(arguments for keyword, arguments in final if keyword in ("COPY", "ADD"))
    assert "requirements" not in copied


def test_no_stage_reads_the_dev_or_run_lock():
    for name in ("dev.txt", "run.txt", "dev.in", "run.in"):
        assert name not in DOCKERFILE


def test_the_final_stage_has_no_compiler_and_runs_as_a_user():
    final = STAGES["final"]
    assert final[0][1].split()[0].endswith("-slim-bookworm")
    assert not apt_packages(final) & COMPILERS
    assert apt_packages(STAGES["builder"]) & COMPILERS  # the compiler is there, in the stage that is thrown away
    users = [arguments for keyword, arguments in final if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")


def test_the_run_time_lock_holds_no_test_lint_bench_or_dev_tool():
    base = set(locked("base.txt"))
    assert not base & DEV_TOOLS
    assert not {name for name in base if name.startswith("pytest")}
    dev_only = top_level("dev.in") | top_level("run.in")
    assert DEV_TOOLS <= dev_only | {"playwright"}
    assert not base & dev_only


def test_nothing_unused_is_installed():
    for lock in ("base.txt", "run.txt", "dev.txt"):
        assert not {"matplotlib", "pytest-socket"} & set(locked(lock)), lock


@pytest.mark.parametrize("lock", ["base.txt", "run.txt", "dev.txt"])
def test_every_lock_pins_every_package_with_its_hashes(lock):
    text = (REQUIREMENTS / lock).read_text()
    assert "make lock" in text.splitlines()[1]
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2].strip())
    assert len(entries) == sum(len(versions) for versions in locked(lock).values())
    for entry in entries:
        assert re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*==\S+", entry), entry
        assert "--hash=sha256:" in entry, entry


def test_the_image_make_run_and_make_test_get_the_same_versions():
    base, run, dev = locked("base.txt"), locked("run.txt"), locked("dev.txt")
    for package, versions in base.items():
        assert run.get(package) == versions, package
        assert dev.get(package) == versions, package
    for package, versions in run.items():
        assert dev.get(package) == versions, package
    assert "honcho" in run


#: run-time packages no module imports by name, and what uses them
USED_WITHOUT_IMPORT = {
    "gunicorn": "the webs' command (Procfile, docker-compose.yml)",
    "psycopg": "SQLAlchemy's driver for postgresql+psycopg:// URLs",
    "hiredis": "redis-py's fast reply parser, taken when installed",
    "tzdata": "zoneinfo's zones where the system has none",
    "flower": "compose's `flower` service (profile ops)",
}


def test_every_run_time_dependency_is_used():
    from importlib.metadata import packages_distributions

    modules_of: dict[str, set[str]] = {}
    for module, distributions in packages_distributions().items():
        for distribution in distributions:
            modules_of.setdefault(normalise(distribution), set()).add(module)
    imported = set()
    for folder in ("services", "shared", "devsinks", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            imported |= set(re.findall(r"^\s*(?:from|import) ([A-Za-z_]\w*)", path.read_text(), flags=re.M))
    for package in top_level("base.in"):
        assert package in USED_WITHOUT_IMPORT or modules_of.get(package, set()) & imported, (
            f"{package} is in requirements/base.in but nothing imports it: drop it, or say what uses it"
        )
    for package in USED_WITHOUT_IMPORT:
        assert package in top_level("base.in")
