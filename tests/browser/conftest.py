"""Browser fixtures: Pelita started by `make run`'s own launcher, and Debian's chromium driven by playwright."""

import io
import os
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader

from scripts.redis_local import free_port
from tests.conftest import ROOT, wait_for

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("PELITA_ARTIFACTS", ROOT / "test-artifacts"))
ADMIN_PASSWORD = "rahasia-admin-browser"
#: The production host's length, for links in messages: the browser maps it to this machine (--host-resolver-rules).
PUBLIC_HOST = "pelita.dispersip.kalselprov.go.id"


def _require(path: Path | str, what: str) -> None:
    if Path(path).exists():
        return
    message = f"{what} is missing ({path}); `make test` installs it"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class Pelita:
    """The whole system as `make run` starts it, on free ports, with its own Redis and var/ folder."""

    def __init__(self, tmp: Path, public_host: str = "127.0.0.1") -> None:
        """`public_host`: the host the registration service's links name (in messages, QR codes, invitations)."""
        ports = {name: free_port() for name in ("REGISTRATION", "NOTIFICATIONS", "REPORTING", "DEVSINKS", "SMTP")}
        self.urls = {
            "registration": f"http://127.0.0.1:{ports['REGISTRATION']}",
            "notifications": f"http://127.0.0.1:{ports['NOTIFICATIONS']}",
            "reporting": f"http://127.0.0.1:{ports['REPORTING']}",
            "sinks": f"http://127.0.0.1:{ports['DEVSINKS']}",
        }
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")},
            "PELITA_VAR_DIR": str(tmp / "var"),
            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # nobody answers there: make run starts its own
            "REGISTRATION_PORT": str(ports["REGISTRATION"]),
            "NOTIFICATIONS_PORT": str(ports["NOTIFICATIONS"]),
            "REPORTING_PORT": str(ports["REPORTING"]),
            "DEVSINKS_PORT": str(ports["DEVSINKS"]),
            "DEVSINKS_SMTP_PORT": str(ports["SMTP"]),
            "REGISTRATION_PUBLIC_URL": f"http://{public_host}:{ports['REGISTRATION']}",
            "NOTIFICATIONS_PUBLIC_URL": self.urls["notifications"],
            "REPORTING_PUBLIC_URL": self.urls["reporting"],
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
            "OUTBOX_SWEEP_SECONDS": "1",
            "NOTIFICATIONS_DISPATCH_SECONDS": "1",
            "CERTIFICATE_SWEEP_SECONDS": "2",  # certificates a moment after a training ends, not five minutes
        }
        self.log = tmp / "make-run.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        handle = self.log.open("ab")
        command = [sys.executable, "-m", "scripts.run"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        for name, url in self.urls.items():
            wait_for(lambda url=url: self._healthy(url), timeout=120, message=f"{name} to answer")

    def _healthy(self, url: str) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"make run stopped:\n{self.log.read_text()[-4000:]}")
        try:
            return requests.get(f"{url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        """Ctrl-C, as a person would: honcho stops every process."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


@contextmanager
def running_pelita(tmp: Path, public_host: str = "127.0.0.1"):
    running = Pelita(tmp, public_host)
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def pelita(tmp_path_factory):
    """One `make run` for the journeys (starting one takes a while on a busy machine): each makes its own events and
    people, and finds its own messages by their addresses. The participant's journey has its own (its links name
    production's host)."""
    with running_pelita(tmp_path_factory.mktemp("make-run")) as running:
        yield running


@pytest.fixture(scope="session")
def browser():
    _require(CHROMIUM, "Debian's chromium")
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
            f"--host-resolver-rules=MAP {PUBLIC_HOST} 127.0.0.1"]  # fmt: skip
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        yield launched
        launched.close()


@pytest.fixture
def phone(browser):
    """A phone-sized page, Indonesian first."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID", is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pdf_screenshots(browser, url: str, name: str, pages: int, landscape: bool = False) -> list[Path]:
    """Open a PDF in chromium's own viewer, one page at a time fitted to an A4-shaped window (portrait or landscape,
    as the document's pages), and save each page as `<name>-<n>.png`. The viewer draws after the load event and
    says nothing when done: each page waits a moment."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width, height = (1123, 794) if landscape else (794, 1123)
    context = browser.new_context(viewport={"width": width, "height": height})
    page, paths = context.new_page(), []
    for number in range(1, pages + 1):
        page.goto("about:blank")
        page.goto(f"{url}#page={number}&toolbar=0&navpanes=0&view=Fit")
        page.wait_for_timeout(2000)
        path = ARTIFACTS / f"{name}-{number}.png"
        page.screenshot(path=str(path))
        paths.append(path)
    context.close()
    return paths


def pdf_pages(pdf: bytes, name: str, dpi: int = 80) -> list[Path]:
    """Every page of a PDF as a PNG beside the screenshots (`<name>-<n>.png`, poppler's pdftoppm), to look at; the
    PDF itself is kept as `<name>.pdf`. Fails when a page is missing."""
    _require(shutil.which("pdftoppm") or "/usr/bin/pdftoppm", "poppler's pdftoppm")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), f"{name}.pdf", name], cwd=ARTIFACTS, check=True, timeout=120)
    pages = sorted(ARTIFACTS.glob(f"{name}-*.png"))
    assert len(pages) == len(PdfReader(io.BytesIO(pdf)).pages), f"{name}: a page did not render"
    return pages


def axe_violations(page) -> list[dict]:
    """Run axe-core (from node_modules, never a CDN) on the page; return serious and critical violations."""
    _require(AXE, "axe-core")
    page.evaluate(AXE.read_text())  # not a <script> tag: the pages' CSP runs no inline script, as it should
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
