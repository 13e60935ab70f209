"""Public pages stay light for a slow phone and load nothing from another site."""

import re

from tests.factories import make_event_body
from tests.integration.registration.test_public_form import form_fields, hidden

LIMIT = 100 * 1024


def weight(client, html: str) -> int:
    """The page plus everything it loads (stylesheets, images, scripts) from this server."""
    total = len(html.encode())
    for url in set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html)):
        total += len(client.get(url).data)
    return total


def assert_light_and_local(client, html: str) -> None:
    assert weight(client, html) < LIMIT
    external = re.findall(r'<(?:link|script|img|iframe)[^>]+(?:href|src)="(https?://[^"]+)"', html)
    assert external == [], f"loaded from another site: {external}"


def test_every_public_page_is_under_100_kb_with_no_cdn(registration, auth):
    client = registration.test_client()
    event = client.post("/api/v1/events", json=make_event_body(), headers=auth).json
    pages = [client.get("/").text, client.get(f"/acara/{event['id']}").text]
    form = client.get(f"/acara/{event['id']}/daftar").text
    pages.append(form)
    errors = client.post(f"/acara/{event['id']}/daftar", data={**hidden(form), "kabupaten_code": "63.02"})
    pages.append(errors.text)
    done = client.post(f"/acara/{event['id']}/daftar", data=form_fields(**hidden(form)))
    confirmation = client.get(done.headers["Location"]).text
    pages.append(confirmation)
    cancel = re.search(r'href="http://127\.0\.0\.1:8001(/r/[^"]+/batal)"', confirmation).group(1)
    pages.append(client.get(cancel).text)
    for html in pages:
        assert_light_and_local(client, html)
