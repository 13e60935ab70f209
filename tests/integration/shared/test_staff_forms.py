"""No staff page answers 500 to any combination of its own form's values, in any of the three services.

Each staff page's forms are read as a browser would (bs4), and every combination of their select options is sent
with the other fields as the page filled them in; the answer may refuse (4xx) but never fail.
"""

import itertools
from urllib.parse import urljoin

from bs4 import BeautifulSoup

from shared.staffauth import STAFF_COOKIE, StaffClaims
from tests.factories import make_event_body, make_registration_body, staff_token

#: A safety net against a form growing huge, far above today's largest (the message log's filters).
MOST_COMBINATIONS = 3000


def staff_client(app):
    client = app.test_client()
    client.set_cookie(STAFF_COOKIE, staff_token(app, StaffClaims(1, "admin@pelita.local", "provincial_admin")))
    return client


def form_submissions(html: str, page_url: str):
    """Yield (method, action, data) for every combination of select options of every form on the page."""
    soup = BeautifulSoup(html, "html.parser")
    for form in soup.find_all("form"):
        selects = form.find_all("select")
        if not selects:
            continue
        fixed = {}
        for field in form.find_all(["input", "textarea"]):
            name = field.get("name")
            if not name or field.get("type") in ("submit", "button") or field.get("disabled") is not None:
                continue
            if field.get("type") in ("checkbox", "radio") and field.get("checked") is None:
                continue
            fixed.setdefault(name, field.get("value", "") if field.name == "input" else field.text)
        choices = [[(s["name"], o.get("value", o.text)) for o in s.find_all("option")] for s in selects]
        combinations = list(itertools.product(*choices))
        assert 0 < len(combinations) <= MOST_COMBINATIONS, f"{page_url}: {len(combinations)} combinations"
        method = (form.get("method") or "get").lower()
        action = urljoin(page_url, form.get("action") or page_url)
        for combination in combinations:
            yield method, action, fixed | dict(combination)


def submit_every_combination(client, paths: list[str]) -> int:
    sent = 0
    for path in paths:
        page = client.get(path)
        assert page.status_code == 200, path
        for method, action, data in form_submissions(page.text, f"http://localhost{path}"):
            if method == "get":
                response = client.get(action, query_string=data)
            else:
                response = client.post(action, data=data)
            assert response.status_code < 500, (path, data, response.status_code)
            sent += 1
    return sent


def test_every_registration_staff_form_takes_every_combination_of_its_options(registration, auth):
    api = registration.test_client()
    event = api.post("/api/v1/events", json=make_event_body(capacity=1), headers=auth).json
    for name in ("Siti Rahmah", "Ahmad Fauzi"):
        api.post(f"/api/v1/events/{event['id']}/registrations", json=make_registration_body(full_name=name))
    client = staff_client(registration)
    paths = ["/staf", f"/staf/acara/{event['id']}", "/staf/acara/baru", f"/staf/acara/{event['id']}/ubah"]
    assert submit_every_combination(client, paths) >= 4 * 6  # the list's status x disability, at least


def test_every_notifications_staff_form_takes_every_combination_of_its_options(notifications):
    client = staff_client(notifications)
    assert submit_every_combination(client, ["/staf", "/staf/acara", "/staf/templat", "/staf/berhenti"]) > 0


def test_every_reporting_staff_form_takes_every_combination_of_its_options(reporting):
    client = staff_client(reporting)
    assert submit_every_combination(client, ["/dasbor", "/jadwal"]) > 0
