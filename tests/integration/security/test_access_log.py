"""The registration web, started with the Procfile's own gunicorn command line, logs no signed link or secret."""

import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from scripts.redis_local import free_port
from shared.gunicorn_conf import redact
from tests.conftest import wait_for

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "InNpdGkiLjE3MzQ1.Zk9rAhasiaTokenXyz"


def procfile_command(process: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{process}:"):
            return line.partition(":")[2].strip()
    raise LookupError(process)


@pytest.fixture
def registration_web(tmp_path, redis_url):
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "APP_ENV": "development",
        "PELITA_VAR_DIR": str(tmp_path),
        "REGISTRATION_PORT": str(port),
        "REDIS_URL": redis_url,
        "REGISTRATION_DATABASE_URL": f"sqlite:///{tmp_path}/registration.sqlite3",
    }
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["sh", "-c", procfile_command("registration")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
            return True
        except OSError:
            return process.poll() is not None and pytest.fail(f"gunicorn stopped:\n{log.read_text()}")

    try:
        wait_for(answers, timeout=90, interval=0.2, message="gunicorn to answer")  # 4 workers boot on a busy machine
    except BaseException:
        os.killpg(process.pid, signal.SIGTERM)
        raise
    yield base, log
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(20)


def get(url: str, **headers) -> int:
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_access_log_masks_signed_links_query_values_and_referers(registration_web):
    base, log = registration_web
    paths = [
        f"/pendaftaran/{TOKEN}",
        f"/r/{TOKEN}/batal",
        f"/staf/hadir/{TOKEN}",
        f"/staf/masuk?next=/staf/hadir/{TOKEN}",
        "/staf?q=siti.rahmah%40contoh.id",
    ]
    for path in paths:
        assert get(base + path, Referer=f"{base}/pendaftaran/{TOKEN}") < 500
    masked = [
        '"GET /pendaftaran/[disembunyikan] ',
        '"GET /r/[disembunyikan]/batal ',
        '"GET /staf/hadir/[disembunyikan] ',
        '"GET /staf/masuk?next=[disembunyikan] ',
        '"GET /staf?q=[disembunyikan] ',
    ]

    def logged() -> bool:
        text = log.read_text()
        return all(line in text for line in masked)

    # gunicorn's workers each write their access log line after the response, in no fixed order (and the start-up
    # probes to /healthz are GET lines too): wait for each request's own line, not for a count of lines
    wait_for(logged, timeout=15, message="every request's access log line")
    text = log.read_text()
    assert TOKEN not in text
    assert "siti.rahmah" not in text
    assert "/pendaftaran/[disembunyikan]" in text and "/r/[disembunyikan]/batal" in text
    assert "/staf/hadir/[disembunyikan]" in text and "next=[disembunyikan]" in text


@pytest.mark.parametrize(
    "line, expected",
    [
        (
            "GET /webhooks/zenziva/s3cret?messageId=1 HTTP/1.1",
            "GET /webhooks/zenziva/[disembunyikan]?messageId=[disembunyikan] HTTP/1.1",
        ),
        ("POST /berhenti/abc.def HTTP/1.1", "POST /berhenti/[disembunyikan] HTTP/1.1"),
        ("GET /laporan/tok/unduh.pdf HTTP/1.1", "GET /laporan/[disembunyikan]/unduh.pdf HTTP/1.1"),
        ("GET /acara/5b0c/daftar HTTP/1.1", "GET /acara/5b0c/daftar HTTP/1.1"),
    ],
)
def test_redact_masks_each_secret_path_of_every_service(line, expected):
    assert redact(line) == expected
    assert re.search(r"s3cret|abc\.def|/tok/", redact(line)) is None


def test_the_error_log_masks_the_address_of_a_failed_request():
    import logging

    from shared.gunicorn_conf import RedactingFilter

    record = logging.LogRecord(
        "gunicorn.error",
        logging.ERROR,
        __file__,
        1,
        "Error handling request %s",
        (f"/r/{TOKEN}/batal?next=/pendaftaran/{TOKEN}",),
        None,
    )
    assert RedactingFilter().filter(record)
    assert TOKEN not in record.getMessage()
    assert record.getMessage() == "Error handling request /r/[disembunyikan]/batal?next=[disembunyikan]"


def test_probes_that_succeed_leave_no_access_log_line_but_failures_and_other_requests_do(registration_web):
    base, log = registration_web
    for path in ("/livez", "/readyz"):
        assert get(base + path) == 200
    assert get(base + "/metrics") == 503  # this store was never migrated: no outbox table to count
    assert get(base + "/readyz/") == 404
    # gunicorn writes its access log line after the response: wait for the last request's line
    wait_for(lambda: '"GET /readyz/ ' in log.read_text(), timeout=10, message="the access log lines")
    lines = [line for line in log.read_text().splitlines() if '"GET /' in line]
    assert not [line for line in lines if re.search(r'"GET /(livez|readyz) ', line)], lines
    assert any('"GET /metrics ' in line and '" 503 ' in line for line in lines), lines
    assert any('"GET /readyz/ ' in line for line in lines), lines
