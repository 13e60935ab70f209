"""The form does not lose people: refreshing its lists is free and comes back to the list; a hall can register."""

import re
import uuid

import pytest
import sqlalchemy as sa

from services.registration.config import DEFAULT_FORM_RATE_LIMIT
from services.registration.extensions import db
from services.registration.models import Registration
from tests.integration.registration.test_public_form import form_fields, hidden, staff_event

KECAMATAN = {"kabupaten_code": "63.03", "refresh": "kecamatan"}
DESA = {"kabupaten_code": "63.03", "kecamatan_code": "63.03.05", "refresh": "desa"}


@pytest.fixture
def event_id(registration) -> str:
    return staff_event(registration)


def counted_app(make_registration_app, **overrides):
    """A registration service counting the form's submissions in the real Redis, in a namespace of its own."""
    storage = overrides.pop("redis_url")
    return make_registration_app(RATELIMIT_STORAGE_URI=storage, RATELIMIT_KEY_PREFIX=uuid.uuid4().hex, **overrides)


def refresh(client, event_id: str, page: str, **fields):
    return client.post(f"/acara/{event_id}/daftar", data=hidden(page) | {"full_name": "Siti Rahmah"} | fields)


def registered(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Registration))


def test_refreshing_the_lists_does_not_count_against_the_submission_limit(make_registration_app, redis_url):
    app = counted_app(make_registration_app, redis_url=redis_url, REGISTRATION_FORM_RATE_LIMIT="2 per minute")
    event_id, client = staff_event(app), app.test_client()
    page = client.get(f"/acara/{event_id}/daftar").text
    refreshes = [refresh(client, event_id, page, **fields).status_code for fields in (KECAMATAN, DESA) * 3]
    assert refreshes == [200] * 6
    sent = [
        client.post(f"/acara/{event_id}/daftar", data=form_fields(phone=f"0812-3456-70{n:02d}", **hidden(page)))
        for n in range(3)
    ]
    assert [response.status_code for response in sent] == [303, 303, 429]  # the limit still holds for submissions


def test_a_refresh_comes_back_at_its_list_with_what_was_typed(registration, event_id):
    client = registration.test_client()
    page = client.get(f"/acara/{event_id}/daftar").text
    assert re.search(rf'name="refresh" value="kecamatan"[^>]*formaction="/acara/{event_id}/daftar#kecamatan"', page)

    after_kecamatan = refresh(client, event_id, page, **KECAMATAN).text
    assert 'value="Siti Rahmah"' in after_kecamatan
    listed = after_kecamatan[after_kecamatan.index('id="kecamatan"') :]
    assert listed.index('<select id="field-kecamatan_code"') < listed.index('id="desa"')  # the list is at the anchor
    assert re.search(rf'name="refresh" value="desa"[^>]*formaction="/acara/{event_id}/daftar#desa"', after_kecamatan)

    after_desa = refresh(client, event_id, after_kecamatan, **DESA).text
    assert '<option value="63.03.05" selected>Martapura</option>' in after_desa
    landed = after_desa[after_desa.index('id="desa"') :]
    assert landed.index('<select id="field-desa_code"') < landed.index("</form>")
    assert "error-summary" not in after_desa  # a refresh is not a submission: nothing to correct yet


def test_a_hall_of_55_behind_one_address_all_register_and_a_flood_is_still_stopped(make_registration_app, redis_url):
    """The default limit: 55 people on the hall's Wi-Fi, each refreshing both lists and sending once, in a minute."""
    app = counted_app(make_registration_app, redis_url=redis_url, REGISTRATION_FORM_RATE_LIMIT=DEFAULT_FORM_RATE_LIMIT)
    event_id = staff_event(app)  # 55 seats
    statuses = []
    for person in range(55):
        client = app.test_client()  # a phone of its own (cookies, CSRF), the same address as every other
        page = client.get(f"/acara/{event_id}/daftar").text
        assert refresh(client, event_id, page, **KECAMATAN).status_code == 200
        assert refresh(client, event_id, page, **DESA).status_code == 200
        fields = form_fields(full_name=f"Peserta {person + 1}", phone=f"0813-5100-{person:04d}", **hidden(page))
        statuses.append(client.post(f"/acara/{event_id}/daftar", data=fields).status_code)
    assert statuses == [303] * 55 and registered(app) == 55

    # A script sending from the same address meets the limit within the same minute (mistyped forms count too).
    client = app.test_client()
    page = client.get(f"/acara/{event_id}/daftar").text
    flood = [client.post(f"/acara/{event_id}/daftar", data=hidden(page)).status_code for _ in range(70)]
    assert 429 in flood and flood.index(429) == 120 - 55  # the 121st submission of the minute is refused
