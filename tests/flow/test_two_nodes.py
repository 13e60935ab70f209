"""Past one machine: two "nodes", each with its own registration web (gunicorn) and its own registration,
notifications and reporting workers, every process under its node's host name (HOSTNAME, Celery's -n name@host),
sharing one PostgreSQL (a database per service) and one Redis. One beat per service (beat is a singleton).

A burst of registrations for a 55-seat event arrives at both webs at once: no seat is oversold, each person gets
exactly one message (the SMTP server's count), and every event is applied once by each subscriber (I1-I7).
"""

import os
import sys
import threading
import uuid
from collections import Counter

import pytest
import requests
import sqlalchemy as sa

from scripts.redis_local import free_port
from services.registration.models import Registration
from tests.factories import make_registration_body
from tests.flow.conftest import FACTORIES, Stack, running_stack, wait_for
from tests.flow.invariants import assert_invariants
from tests.flow.test_thin_slice import publish_event
from tests.support import drop_postgres_database, postgres_database_url

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NODES = ("node-a", "node-b")
SEATS, PEOPLE = 55, 80


@pytest.fixture
def two_node_stack(request, tmp_path, smtp_server):
    """A flow stack whose three stores are databases of the test PostgreSQL (no worker started yet)."""
    made, urls = [], {}
    for service in FACTORIES:
        urls[service], name = postgres_database_url(TEST_DATABASE_URL, f"pelita_{service[:6]}")
        made.append(name)
    try:
        yield from running_stack(request, Stack(tmp_path, smtp_server, database_urls=urls), start=False)
    finally:
        for name in made:
            drop_postgres_database(TEST_DATABASE_URL, name)


def start_nodes(stack: Stack) -> list[str]:
    """Each node's registration web and one worker per service, all with the node's host name, started together
    (one after the other would take a minute on two cores); then one beat per service. Returns the webs' URLs."""
    webs, waiting = [], []
    for host in NODES:
        port = free_port()
        env = {"HOSTNAME": host, "REGISTRATION_FORM_RATE_LIMIT": "100000 per minute"}
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
        command += ["--worker-class", "gthread", "--threads", "1", "services.registration.wsgi:app"]
        stack._spawn(f"registration_web-{host}", command, stack.tmp / f"registration-web-{host}.log", env)
        webs.append(f"http://127.0.0.1:{port}")
        for service in FACTORIES:
            node = f"{service}@{host}"
            command = [sys.executable, "-m", "celery", "-A", f"services.{service}.worker:celery", "worker"]
            command += ["-Q", service, "-n", node, "--concurrency", "1", "--without-mingle", "--without-gossip"]
            stack._spawn(f"{service}_worker-{host}", [*command, "-l", "INFO"], stack.tmp / f"{service}-{host}.log", env)
            waiting.append((f"{service}-{host}", f"{node} ready"))
    for name, line in waiting:
        wait_for(lambda name=name, line=line: line in stack.log(name), timeout=90, message=f"{name} to start")
    for base in webs:
        wait_for(lambda base=base: answers(base), timeout=60, message=f"the registration web at {base}")
    for service in FACTORIES:
        stack.start_beat(service)
    return webs


def answers(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_two_nodes_share_one_postgresql_and_one_redis_without_overselling_or_sending_twice(two_node_stack):
    stack = two_node_stack
    webs = start_nodes(stack)
    event = publish_event(stack, capacity=SEATS)
    tag = uuid.uuid4().hex[:6]
    addresses = [f"peserta{i}.{tag}@contoh.id" for i in range(PEOPLE)]
    statuses: Counter = Counter()
    lock = threading.Lock()

    def register(i: int) -> None:
        body = make_registration_body(email=addresses[i], phone=f"0813-{i // 100 + 4100:04d}-{i % 100 + 3000:04d}")
        web = webs[i % len(webs)]  # every other person at the other node
        response = requests.post(f"{web}/api/v1/events/{event['id']}/registrations", json=body, timeout=60)
        with lock:
            statuses[response.status_code] += 1

    threads = [threading.Thread(target=register, args=(i,)) for i in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == Counter({201: PEOPLE})

    def by_status() -> dict:
        query = sa.select(Registration.status, sa.func.count()).where(Registration.event_id == event["id"])
        return dict(stack.rows("registration", query.group_by(Registration.status)))

    assert by_status() == {"confirmed": SEATS, "waitlisted": PEOPLE - SEATS}

    def everyone_has_a_mail() -> bool:
        return all(stack.smtp.mails_to(address) for address in addresses)

    wait_for(everyone_has_a_mail, timeout=120, message="a message to each of the 80 people")
    assert_invariants(stack)  # I1 every event applied once per subscriber; I4 no seat oversold; no duplicates
    sent = Counter(to for mail in stack.smtp.mailbox.mails() for to in mail.rcpt_tos if to in addresses)
    assert set(sent.values()) == {1}, f"sent twice: {[to for to, n in sent.items() if n > 1]}"
    for host in NODES:  # the work was shared: each node's workers handled messages
        for service in ("notifications", "reporting"):
            assert "succeeded" in stack.log(f"{service}-{host}"), f"{service} on {host} did nothing"
