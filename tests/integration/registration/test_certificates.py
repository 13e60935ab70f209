"""E-sertifikat in the registration service: issued once to exactly those present when a training has ended, with
a number that verifies; the verification page shows only the certificate; corrections and revocations are scoped."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from services.registration import certdoc, certificates
from services.registration.accounts import hash_password
from services.registration.extensions import db
from services.registration.models import Certificate, Staff
from tests.factories import make_event_body, make_registration_body
from tests.integration.registration.test_staff_api import events_of, today

SIGNATORY = {
    "jp_hours": 32,
    "signatory_name": "Dr. H. Nurliani, M.AP",
    "signatory_title": "Kepala Dinas Perpustakaan dan Kearsipan",
    "signatory_nip": "196805121990032004",
}


def ended_training(registration, auth, *, present: int = 2, absent: int = 1, **overrides) -> tuple[dict, list]:
    """A training today whose people came (`present`) or not; returns (event, people)."""
    client = registration.test_client()
    body = make_event_body(title="Pelatihan Literasi Digital", **today(), **SIGNATORY) | overrides
    event = client.post("/api/v1/events", json=body, headers=auth).json
    people = []
    for index in range(present + absent):
        person = client.post(
            f"/api/v1/events/{event['id']}/registrations",
            json=make_registration_body(full_name=f"Peserta Nomor {index + 1}"),
        ).json
        people.append(person)
        if index < present:
            assert client.post(f"/api/v1/registrations/{person['id']}/check-in", headers=auth).status_code == 200
    return event, people


def after(event: dict, minutes: float = 5) -> datetime:
    return datetime.fromisoformat(event["ends_at"]).astimezone(UTC) + timedelta(minutes=minutes)


def issue(registration, now):
    with registration.app_context():
        return certificates.issue_due(now)


def all_certificates(registration) -> list[Certificate]:
    with registration.app_context():
        rows = list(db.session.scalars(sa.select(Certificate).order_by(Certificate.seq)))
        db.session.expunge_all()
        return rows


def verify_path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_certificates_go_once_to_exactly_those_present_after_the_training_ends(registration, auth):
    event, people = ended_training(registration, auth, present=2, absent=1)
    assert issue(registration, after(event, -30)).numbered == 0  # not yet ended: nothing
    done = issue(registration, after(event))
    assert (done.numbered, done.rendered) == (2, 2)
    rows = all_certificates(registration)
    assert {row.registration_id for row in rows} == {people[0]["id"], people[1]["id"]}
    year = datetime.fromisoformat(event["ends_at"]).astimezone(UTC).year
    assert [row.number.split("/")[0] for row in rows] == ["001", "002"] and rows[0].number.endswith(f"/{year}")
    assert re.fullmatch(r"\d{3}/DISPERSIP-KS/[IVX]+/\d{4}", rows[0].number)
    assert issue(registration, after(event, 10)).numbered == 0  # the job run again issues nothing new
    assert len(all_certificates(registration)) == 2
    issued = events_of(registration, "certificate.issued")
    assert len(issued) == 2 and {p["version"] for p in issued} == {1}
    assert set(issued[0]) >= {"download_url", "verify_url", "number"}


def test_an_event_without_a_signatory_gives_no_certificates(registration, auth):
    event, _ = ended_training(registration, auth, signatory_name="")
    assert issue(registration, after(event)).numbered == 0


def test_the_pdf_is_served_by_its_short_link_and_the_qr_address_verifies(registration, auth):
    event, _ = ended_training(registration, auth, present=1, absent=0)
    issue(registration, after(event))
    client = registration.test_client()
    payload = events_of(registration, "certificate.issued")[0]
    pdf = client.get(verify_path(payload["download_url"]))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    page = client.get(verify_path(payload["verify_url"]))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Sertifikat ini asli" in text and "Peserta Nomor 1" in text and payload["number"] in text
    assert "32 JP" in text and "Dr. H. Nurliani, M.AP" in text


def test_the_verification_page_shows_nothing_beyond_the_certificate(registration, auth):
    event, people = ended_training(registration, auth, present=1, absent=0)
    issue(registration, after(event))
    payload = events_of(registration, "certificate.issued")[0]
    text = registration.test_client().get(verify_path(payload["verify_url"])).get_data(as_text=True)
    body = make_registration_body(full_name="Peserta Nomor 1")
    for private in (body["phone"][-8:], body["email"], people[0]["id"], "checkin", "Martapura"):
        assert private not in text


def test_a_wrong_or_missing_check_code_is_the_same_404_as_an_unknown_number(registration, auth):
    event, _ = ended_training(registration, auth, present=1, absent=0)
    issue(registration, after(event))
    client = registration.test_client()
    row = all_certificates(registration)[0]
    good = certificates_check(registration, row.number, 1)
    wrong = "A" * 10 if good != "A" * 10 else "B" * 10
    answers = [
        client.get(f"/sertifikat/{row.slug}?c={wrong}"),
        client.get(f"/sertifikat/{row.slug}"),
        client.get(f"/sertifikat/999-DISPERSIP-KS-I-2020?c={good}"),
        client.get(f"/sertifikat/{row.slug}?c={good}&v=2"),
    ]
    assert [answer.status_code for answer in answers] == [404, 404, 404, 404]
    assert len({answer.get_data(as_text=True) for answer in answers}) == 1
    assert client.get(f"/sertifikat/{row.slug}?c={good.lower()}").status_code == 200


def certificates_check(registration, number: str, version: int) -> str:
    with registration.app_context():
        return certdoc.check_code(number, version)


@pytest.mark.parametrize(
    "path",
    [
        "/sertifikat/" + "A" * 5000 + "?c=ABCDEFGHJK",
        "/sertifikat/%00%ff?c=ABCDEFGHJK",
        "/sertifikat/001-X?c=" + "Z" * 5000,
        "/sertifikat/001-X?c=ABCDEFGHJK&v=" + "9" * 5000,
        "/sertifikat/001-X?c=ABCDEFGHJK&v=-1",
        "/s/" + "A" * 5000,
        "/s/%00%ff",
        "/s/abc",
    ],
)
def test_malformed_certificate_addresses_get_a_4xx_never_a_500(registration, path):
    assert 400 <= registration.test_client().get(path).status_code < 500


def test_a_corrected_name_is_reissued_with_the_same_number_and_the_old_code_says_replaced(registration, auth):
    event, _ = ended_training(registration, auth, present=1, absent=0)
    issue(registration, after(event))
    client = registration.test_client()
    row = all_certificates(registration)[0]
    response = client.post(f"/api/v1/certificates/{row.id}/reissue", json={"full_name": "Peserta Nomer Satu"},
                           headers=auth)  # fmt: skip
    assert response.status_code == 200, response.json
    assert response.json["number"] == row.number and response.json["version"] == 2
    old = client.get(f"/sertifikat/{row.slug}?c={certificates_check(registration, row.number, 1)}&v=1")
    assert old.status_code == 200 and "sudah diganti" in old.get_data(as_text=True)
    new = client.get(verify_path(response.json["verify_url"])).get_data(as_text=True)
    assert "Sertifikat ini asli" in new and "Peserta Nomer Satu" in new
    issued = events_of(registration, "certificate.issued")
    assert [p["version"] for p in issued] == [1, 2] and issued[0]["number"] == issued[1]["number"]


def test_a_revoked_certificate_says_so_and_its_link_no_longer_serves_it(registration, auth):
    event, _ = ended_training(registration, auth, present=1, absent=0)
    issue(registration, after(event))
    client = registration.test_client()
    payload = events_of(registration, "certificate.issued")[0]
    row = all_certificates(registration)[0]
    reason = "Peserta tidak mengikuti sesi hari kedua"
    response = client.post(f"/api/v1/certificates/{row.id}/revoke", json={"reason": reason}, headers=auth)
    assert response.status_code == 200 and response.json["revoked_at"]
    page = client.get(verify_path(payload["verify_url"]))
    assert page.status_code == 200 and "sudah dicabut" in page.get_data(as_text=True)
    assert reason not in page.get_data(as_text=True)
    assert client.get(verify_path(payload["download_url"])).status_code == 410
    assert client.post(f"/api/v1/certificates/{row.id}/reissue", json={"full_name": "Nama Lain"},
                       headers=auth).status_code == 409  # fmt: skip
    assert len(events_of(registration, "certificate.revoked")) == 1
    client.post(f"/api/v1/certificates/{row.id}/revoke", json={}, headers=auth)
    assert len(events_of(registration, "certificate.revoked")) == 1


def organiser_headers(registration, kabupaten_code: str) -> dict:
    email = f"org-{kabupaten_code}@contoh.id"
    with registration.app_context():
        db.session.add(Staff(email=email, name="Org", role="regency_organiser", kabupaten_code=kabupaten_code,
                             password_hash=hash_password("pw-organiser")))  # fmt: skip
        db.session.commit()
    token = registration.test_client().post("/api/v1/auth/token", json={"email": email, "password": "pw-organiser"})
    return {"Authorization": f"Bearer {token.json['token']}"}


def test_organisers_correct_and_revoke_only_their_kabupatens_certificates(registration, auth):
    event, _ = ended_training(registration, auth, present=1, absent=0, kabupaten_code="63.03")
    issue(registration, after(event))
    row = all_certificates(registration)[0]
    client = registration.test_client()
    elsewhere, home = organiser_headers(registration, "63.09"), organiser_headers(registration, "63.03")
    assert client.get(f"/api/v1/events/{event['id']}/certificates", headers=elsewhere).status_code == 403
    assert client.post(f"/api/v1/certificates/{row.id}/reissue", json={"full_name": "Nama Lain"},
                       headers=elsewhere).status_code == 403  # fmt: skip
    assert client.post(f"/api/v1/certificates/{row.id}/revoke", json={}, headers=elsewhere).status_code == 403
    assert client.post(f"/api/v1/certificates/{row.id}/revoke", json={}).status_code == 401
    listed = client.get(f"/api/v1/events/{event['id']}/certificates", headers=home)
    assert listed.status_code == 200 and [c["number"] for c in listed.json] == [row.number]
    assert client.post(f"/api/v1/certificates/{row.id}/reissue", json={"full_name": "Nama Benar"},
                       headers=home).status_code == 200  # fmt: skip
    assert client.post(f"/api/v1/certificates/{'x' * 500}/revoke", json={}, headers=home).status_code == 404
    assert client.post(f"/api/v1/certificates/{row.id}/reissue", json={"full_name": "x" * 201},
                       headers=home).status_code == 422  # fmt: skip


def test_numbers_run_on_across_events_of_the_same_year(registration, auth):
    first, _ = ended_training(registration, auth, present=2, absent=0)
    second, _ = ended_training(registration, auth, present=1, absent=0, title="Pelatihan Kedua")
    issue(registration, max(after(first), after(second)))
    assert sorted(row.seq for row in all_certificates(registration)) == [1, 2, 3]


def test_organisers_correct_and_revoke_on_the_certificates_page_without_javascript(registration, auth):
    from tests.integration.registration.test_public_form import csrf
    from tests.integration.registration.test_staff_pages import add_regency_organiser, sign_in

    event, _ = ended_training(registration, auth, present=2, absent=0)
    issue(registration, after(event))
    first, second = all_certificates(registration)
    client = registration.test_client()
    sign_in(client)
    page = client.get(f"/staf/acara/{event['id']}/sertifikat")
    assert page.status_code == 200 and first.number in page.text and "Peserta Nomor 2" in page.text
    token = csrf(page.text)
    answer = client.post(
        f"/staf/sertifikat/{first.id}/ubah", data={"full_name": "Peserta Nomer Satu", "csrf_token": token}
    )
    assert answer.status_code == 303
    page = client.get(f"/staf/acara/{event['id']}/sertifikat")
    assert "Peserta Nomer Satu" in page.text and "versi 2" in page.text
    client.post(f"/staf/sertifikat/{second.id}/cabut", data={"reason": "", "csrf_token": token})
    assert "dicabut" in client.get(f"/staf/acara/{event['id']}/sertifikat").text
    other = registration.test_client()
    add_regency_organiser(registration, "63.06")
    sign_in(other, "org@contoh.id", "pw-org")
    assert other.get(f"/staf/acara/{event['id']}/sertifikat").status_code == 403
    token = csrf(other.get("/staf").text)
    assert other.post(f"/staf/sertifikat/{first.id}/cabut", data={"csrf_token": token}).status_code == 403
    assert all_certificates(registration)[0].revoked_at is None


def test_the_event_form_takes_the_hours_and_the_signatory(registration, auth):
    from tests.integration.registration.test_public_form import csrf
    from tests.integration.registration.test_staff_pages import sign_in

    client = registration.test_client()
    event = client.post("/api/v1/events", json=make_event_body(), headers=auth).json
    assert event["jp_hours"] is None and event["signatory_name"] == ""
    sign_in(client)
    form = client.get(f"/staf/acara/{event['id']}/ubah")
    values = dict(re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', form.text))
    values |= {"jp_hours": "32", "signatory_name": "Dr. H. Nurliani, M.AP", "signatory_title": "Kepala Dinas",
               "signatory_nip": "12345", "csrf_token": csrf(form.text)}  # fmt: skip
    refused = client.post(f"/staf/acara/{event['id']}/ubah", data=values)
    assert refused.status_code == 400 and "18 angka" in refused.text
    values["signatory_nip"] = "196805121990032004"
    assert client.post(f"/staf/acara/{event['id']}/ubah", data=values).status_code == 303
    saved = client.get("/api/v1/events/managed", headers=auth).json[0]
    assert (saved["jp_hours"], saved["signatory_nip"]) == (32, "196805121990032004")
    public = client.get(f"/api/v1/events/{event['id']}").json
    assert public["jp_hours"] == 32 and "signatory_nip" not in public  # a civil servant's number: staff only
    too_many = client.patch(f"/api/v1/events/{event['id']}", json={"jp_hours": 201}, headers=auth)
    assert too_many.status_code == 422


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_two_runs_at_once_issue_one_certificate_each_with_numbers_taken_once(registration, auth):
    import threading

    event, people = ended_training(registration, auth, present=6, absent=0)
    now, barrier, outcomes = after(event), threading.Barrier(2), []

    def run():
        barrier.wait()
        outcomes.append(issue(registration, now))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    rows = all_certificates(registration)
    assert sorted(row.registration_id for row in rows) == sorted(person["id"] for person in people)
    assert [row.seq for row in rows] == list(range(1, 7))  # no number twice, none skipped
    assert sum(outcome.rendered for outcome in outcomes) == 6
    assert len(events_of(registration, "certificate.issued")) == 6


def test_a_person_who_erases_their_data_takes_their_certificate_with_them(registration, auth):
    from services.registration import rights

    event, people = ended_training(registration, auth, present=1, absent=0)
    issue(registration, after(event))
    payload = events_of(registration, "certificate.issued")[0]
    with registration.app_context():
        assert rights.erase(people[0]["id"])
    client = registration.test_client()
    assert client.get(verify_path(payload["verify_url"])).status_code == 404
    assert client.get(verify_path(payload["download_url"])).status_code == 404
    assert all_certificates(registration) == []
    assert issue(registration, after(event, 10)).numbered == 0  # and the job does not make it again


def test_a_scanned_signature_from_the_event_form_is_printed_on_the_certificates(registration, auth):
    import io

    from PIL import Image

    from tests.integration.registration.test_public_form import csrf
    from tests.integration.registration.test_staff_pages import sign_in

    event, _ = ended_training(registration, auth, present=1, absent=0)
    client = registration.test_client()
    sign_in(client)
    form = client.get(f"/staf/acara/{event['id']}/ubah")
    values = dict(re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', form.text)) | {"csrf_token": csrf(form.text)}
    refused = client.post(
        f"/staf/acara/{event['id']}/ubah", data=values | {"signature": (io.BytesIO(b"%PDF bukan"), "ttd.pdf")}
    )
    assert refused.status_code == 400 and "bukan gambar" in refused.text
    scan = io.BytesIO()
    Image.new("RGB", (900, 300), "white").save(scan, "PNG")
    saved = client.post(
        f"/staf/acara/{event['id']}/ubah", data=values | {"signature": (io.BytesIO(scan.getvalue()), "ttd.png")}
    )
    assert saved.status_code == 303
    issue(registration, after(event))
    with registration.app_context():
        pdf = db.session.scalar(sa.select(Certificate.pdf))
    assert b"/Subtype /Image" in pdf  # the scan (the QR code is drawn, not a picture)


def test_a_name_the_form_refuses_changes_nothing(registration, auth):
    from tests.integration.registration.test_public_form import csrf
    from tests.integration.registration.test_staff_pages import sign_in

    event, _ = ended_training(registration, auth, present=1, absent=0)
    issue(registration, after(event))
    row = all_certificates(registration)[0]
    client = registration.test_client()
    sign_in(client)
    token = csrf(client.get(f"/staf/acara/{event['id']}/sertifikat").text)
    for name in ("x", "Nama\u202eTerbalik", "Nama\nDua Baris", "y" * 5000):
        answer = client.post(f"/staf/sertifikat/{row.id}/ubah", data={"full_name": name, "csrf_token": token})
        assert answer.status_code == 303
    assert all_certificates(registration)[0].version == 1
    assert "Isi nama peserta" in client.get(f"/staf/acara/{event['id']}/sertifikat").text


def test_a_run_out_of_time_leaves_the_rest_to_the_next_run(registration, auth):
    event, _ = ended_training(registration, auth, present=3, absent=0)
    with registration.app_context():
        registration.config["CERTIFICATE_BATCH"] = 2
        assert certificates.issue_due(after(event), seconds=0).numbered == 0  # no time: nothing started
        rest = certificates.issue_due(after(event))
    assert (rest.numbered, rest.rendered) == (3, 3) and len(all_certificates(registration)) == 3


def test_an_admin_changes_the_wording_within_the_editors_rules_and_new_certificates_use_it(registration, auth):
    from tests.integration.registration.test_public_form import csrf
    from tests.integration.registration.test_staff_pages import add_regency_organiser, sign_in

    client = registration.test_client()
    sign_in(client)
    page = client.get("/staf/sertifikat/teks")
    assert page.status_code == 200 and "diberikan kepada" in page.text
    token = csrf(page.text)
    base = {"heading": "PIAGAM", "given_to": "dengan bangga diberikan kepada", "csrf_token": token}
    for bad in ("{{ config }}", "{% for x in jp %}x{% endfor %}", "{{ title.__class__ }}", "{{ title", "x" * 601,
                "<script>alert(1)</script>{{ title|safe }}"):  # fmt: skip
        refused = client.post("/staf/sertifikat/teks", data=base | {"body": bad})
        assert refused.status_code == 400, bad
    good = "atas partisipasinya dalam {{ title }} di {{ place }}, {{ days }}{% if jp %} ({{ jp }} JP){% endif %}."
    assert client.post("/staf/sertifikat/teks", data=base | {"body": good}).status_code == 303
    event, _ = ended_training(registration, auth, present=1, absent=0)
    issue(registration, after(event))
    row = all_certificates(registration)[0]
    with registration.app_context():
        html = certdoc.page_html(row, wording=certificates.current_wording())
    assert "PIAGAM" in html and "dengan bangga diberikan kepada" in html
    assert "atas partisipasinya dalam <strong>Pelatihan Literasi Digital</strong>" in html and "(32 JP)" in html
    other = registration.test_client()
    add_regency_organiser(registration, "63.03")
    sign_in(other, "org@contoh.id", "pw-org")
    assert other.get("/staf/sertifikat/teks").status_code == 403


def test_staff_text_cannot_put_markup_on_the_certificate(registration):
    from services.registration import certtext

    with registration.app_context():
        assert certtext.check("body", "<b>{{ title }}</b>")  # refused: no markup in the wording
        rendered = certtext.render("peserta {{ title }} di {{ place }}", title="<i>Judul</i>", place="<b>X</b>")
    assert "<i>" not in rendered and "<b>" not in rendered and "&lt;i&gt;Judul&lt;/i&gt;" in rendered


def test_rendering_certificates_leaves_a_truncated_poster_refused(registration, auth):
    """WeasyPrint, once imported, tells Pillow to load truncated images: posters must still refuse them."""
    import io

    from PIL import Image

    from services.registration import posters

    event, _ = ended_training(registration, auth, present=1, absent=0)
    issue(registration, after(event))  # WeasyPrint imported and used in this process
    photo = io.BytesIO()
    Image.effect_noise((800, 600), 60).convert("RGB").save(photo, "JPEG", quality=90)
    with pytest.raises(posters.PosterRefused):
        posters.prepare(photo.getvalue()[:5000])
