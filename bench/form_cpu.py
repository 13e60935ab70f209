"""CPU of one registration in-process: the form's GET and its POST, for Pelita, Pelita before its page cache and the
fair baseline (bench/fair_app.py), with Flask's test client on one SQLite store, no gunicorn and no network.

`python -m bench.form_cpu [--n 200] [--repeats 3] [--profile]`: prints milliseconds of process CPU per GET and per
POST, in turns (so a slow spell of a shared machine falls on all three). `--profile` adds a cProfile of Pelita's GET
and POST. A tool to find where a registration's CPU goes, not one of `make bench`'s results.
"""

import argparse
import cProfile
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time

HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
HTTPS = {"base_url": "https://127.0.0.1"}  # the production config's Secure cookie; the Referer its CSRF check wants
REFERER = {"Referer": "https://127.0.0.1/"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="registrations per side and repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="pelita-form-cpu-")
    database = f"sqlite:///{folder}/registration.sqlite3"
    os.environ.update(
        APP_ENV="production",
        SECRET_KEY="bench-only-secret-key-not-for-production",
        STAFF_TOKEN_SECRET="bench-only-staff-token-secret-not-for-production",
        REGISTRATION_PUBLIC_URL="http://127.0.0.1",
        REGISTRATION_DATABASE_URL=database,
        FAIR_DATABASE_URL=database,
        PELITA_VAR_DIR=folder,
        ADMIN_PASSWORD="rahasia-admin-bench",
        FORM_MIN_SECONDS="0",
        REGISTRATION_FORM_RATE_LIMIT="10000000 per minute",
    )
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ.setdefault("BASELINE_BROKER_URL", os.environ["REDIS_URL"])
    for command in (["db", "upgrade"], ["seed", "--no-demo"]):
        flask = [sys.executable, "-m", "flask", "--app", "services.registration.wsgi", *command]
        subprocess.run(flask, check=True, capture_output=True)

    from bench import fair_app, without_app
    from bench.registration import ADMIN_PASSWORD, event_body
    from services.registration.wsgi import app

    client = app.test_client()
    login = {"email": "admin@pelita.local", "password": ADMIN_PASSWORD}
    token = client.post("/api/v1/auth/token", json=login).json["token"]
    event = client.post("/api/v1/events", json=event_body(100_000), headers={"Authorization": f"Bearer {token}"})
    sides = {
        "pelita": (app, f"/acara/{event.json['id']}/daftar"),
        "before the page cache": (without_app.create_app("page-cache"), f"/acara/{event.json['id']}/daftar"),
        "fair baseline": (fair_app.create_app(), f"/acara/{fair_app.create_event(database, 100_000)}/daftar"),
    }
    first = 0
    for repeat in range(args.repeats):
        for name, (side, url) in sides.items():
            get_ms, post_ms = registrations(side, url, args.n, first)
            first += args.n + 50
            both = get_ms + post_ms
            print(f"repeat {repeat + 1} {name:<22} GET {get_ms:.2f} ms  POST {post_ms:.2f} ms  both {both:.2f} ms")
    if args.profile:
        profile(*sides["pelita"], args.n, first)


def registrations(app, url: str, n: int, first: int, warm_up: int = 30) -> tuple[float, float]:
    """Milliseconds of process CPU per GET and per POST over n phones, each with a client (a cookie jar) of its own."""
    from bench.registration import form_fields, phone

    get_seconds = post_seconds = 0.0
    for i in range(warm_up + n):
        client = app.test_client()
        start = time.process_time()
        page = client.get(url, **HTTPS)
        got = time.process_time()
        data = form_fields(phone(first + i)) | dict(HIDDEN.findall(page.text))
        posting = time.process_time()
        answer = client.post(url, data=data, headers=REFERER, **HTTPS)
        posted = time.process_time()
        if answer.status_code != 303:
            raise SystemExit(f"{url}: POST answered {answer.status_code}")
        if i >= warm_up:
            get_seconds, post_seconds = get_seconds + got - start, post_seconds + posted - posting
    return 1000 * get_seconds / n, 1000 * post_seconds / n


def profile(app, url: str, n: int, first: int) -> None:
    from bench.registration import form_fields, phone

    gets, posts = cProfile.Profile(), cProfile.Profile()
    for i in range(n):
        client = app.test_client()
        page = gets.runcall(client.get, url, **HTTPS)
        data = form_fields(phone(first + i)) | dict(HIDDEN.findall(page.text))
        posts.runcall(client.post, url, data=data, headers=REFERER, **HTTPS)
    for name, profiler in (("GET", gets), ("POST", posts)):
        print(f"== Pelita's form {name}, {n} times")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
