"""E-sertifikat and the evaluation through the real workers, Redis and SMTP: a training ends, certificates and the
evaluation's link go out once to exactly those present, their numbers verify, a revoked one says so, the job run twice
issues nothing new, reporting counts them; an evaluation answered twice counts once; a certificate set to wait for the
evaluation follows the answer."""

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from services.registration.models import Certificate, Evaluation, OutboxMessage
from shared.messaging.names import TaskNames
from tests.flow.conftest import staff_headers, summary, wait_for
from tests.flow.test_thin_slice import publish_event, register, stays_true
from tests.integration.registration.test_public_form import csrf

SIGNATORY = {"jp_hours": 24, "signatory_name": "Dra. Hj. Rusmiati", "signatory_title": "Kepala Bidang Pembinaan"}


def issue_certificates(stack) -> None:
    """Ask the registration worker to run the issuing job now (beat runs it every CERTIFICATE_SWEEP_SECONDS)."""
    stack.app("registration").extensions["celery"].send_task(
        TaskNames.REGISTRATION_ISSUE_CERTIFICATES, queue="registration"
    )


def issued_payloads(stack) -> list[dict]:
    query = sa.select(OutboxMessage.envelope).where(OutboxMessage.type == "certificate.issued")
    return [row[0]["payload"] for row in stack.rows("registration", query)]


def outbox(stack, event_type: str) -> list[dict]:
    query = sa.select(OutboxMessage.envelope).where(OutboxMessage.type == event_type)
    return [row[0]["payload"] for row in stack.rows("registration", query)]


def evaluation_mails(stack, address: str) -> list:
    return [m for m in stack.smtp.mails_to(address) if m.subject.startswith("Mohon isi evaluasi")]


def local_path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_a_training_ends_and_certificates_go_once_to_those_present(stack):
    now = datetime.now(UTC).replace(microsecond=0)
    ends = now + timedelta(seconds=12)
    event = publish_event(
        stack,
        title="Pelatihan Literasi Informasi",
        starts_at=(now - timedelta(hours=2)).isoformat(),
        ends_at=ends.isoformat(),
        registration_closes_at=(ends - timedelta(seconds=2)).isoformat(),
        **SIGNATORY,
    )
    client, headers = stack.app("registration").test_client(), staff_headers(stack)
    came = [register(stack, event["id"], email=f"hadir{n}@contoh.id", full_name=f"Hadir {n}") for n in (1, 2)]
    register(stack, event["id"], email="absen@contoh.id", full_name="Tidak Datang")
    for person in came:
        assert client.post(f"/api/v1/registrations/{person['id']}/check-in", headers=headers).status_code == 200

    def issued_once_ended() -> bool:
        """Run the job (as beat does) until the training has ended and it has issued what it should."""
        issue_certificates(stack)
        return stack.count("registration", Certificate) == 2

    wait_for(issued_once_ended, timeout=60, interval=1, message="the certificates, once the training has ended")
    issue_certificates(stack)  # the job again (or beat and a hand at once): one certificate each all the same
    for n in (1, 2):
        wait_for(lambda n=n: [m for m in stack.smtp.mails_to(f"hadir{n}@contoh.id") if "Sertifikat" in m.subject],
                 timeout=60, message=f"the certificate mail of Hadir {n}")  # fmt: skip
    assert stack.count("registration", Certificate) == 2
    issue_certificates(stack)
    assert stays_true(lambda: stack.count("registration", Certificate) == 2, 3)
    for n in (1, 2):
        mails = [m for m in stack.smtp.mails_to(f"hadir{n}@contoh.id") if "Sertifikat" in m.subject]
        assert len(mails) == 1
        link = re.search(r"https?://\S+/s/[A-Z0-9]{10}", mails[0].text()).group(0)
        pdf = client.get(local_path(link))
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert not [m for m in stack.smtp.mails_to("absen@contoh.id") if "Sertifikat" in m.subject]

    payloads = issued_payloads(stack)
    assert len(payloads) == 2 and len({p["number"] for p in payloads}) == 2
    for payload in payloads:
        page = client.get(local_path(payload["verify_url"]))
        assert page.status_code == 200 and "Sertifikat ini asli" in page.get_data(as_text=True)

    revoked = payloads[0]
    answer = client.post(f"/api/v1/certificates/{revoked['certificate_id']}/revoke", json={"reason": "salah orang"},
                         headers=headers)  # fmt: skip
    assert answer.status_code == 200
    assert "sudah dicabut" in client.get(local_path(revoked["verify_url"])).get_data(as_text=True)

    # the evaluation: asked once of each who came, its link by mail; answered twice, it counts once
    assert stack.count("registration", Evaluation) == 2
    for n in (1, 2):
        wait_for(lambda n=n: evaluation_mails(stack, f"hadir{n}@contoh.id"), timeout=60,
                 message=f"the evaluation mail of Hadir {n}")  # fmt: skip
    assert stays_true(lambda: all(len(evaluation_mails(stack, f"hadir{n}@contoh.id")) == 1 for n in (1, 2)), 2)
    assert not evaluation_mails(stack, "absen@contoh.id")
    link = re.search(r"https?://\S+/e/[A-Z0-9]{10}", evaluation_mails(stack, "hadir1@contoh.id")[0].text()).group(0)
    form = client.get(local_path(link))
    assert form.status_code == 200 and "Pelatihan Literasi Informasi" in form.text
    answer = {"csrf_token": csrf(form.text), "material": "5", "trainer": "4", "venue": "4", "comments": "Bagus"}
    for material in ("5", "1"):  # the second (another tab, a double tap) changes nothing
        sent = client.post(local_path(link), data=answer | {"material": material})
        assert sent.status_code == 200 and "Terima kasih atas evaluasi Anda" in sent.text
    submitted = outbox(stack, "evaluation.submitted")
    assert len(submitted) == 1 and submitted[0]["material"] == 5
    assert stack.count("registration", Evaluation, Evaluation.answered_at.is_not(None)) == 1

    wait_for(lambda: summary(stack, headers).get("certificates") == 1,
             message="reporting to count one certificate standing (two issued, one revoked)")  # fmt: skip


def test_a_certificate_waiting_for_the_evaluation_follows_the_answer_within_seconds(stack):
    from tests.flow.conftest import ADMIN_PASSWORD
    from tests.integration.registration.test_staff_pages import sign_in

    now = datetime.now(UTC).replace(microsecond=0)
    ends = now + timedelta(seconds=10)
    times = {"starts_at": (now - timedelta(hours=2)).isoformat(), "ends_at": ends.isoformat(),
             "registration_closes_at": (ends - timedelta(seconds=2)).isoformat()}  # fmt: skip
    event = publish_event(stack, title="Pelatihan Menulis Cerita Anak", **times, **SIGNATORY)
    client, headers = stack.app("registration").test_client(), staff_headers(stack)
    sign_in(client, password=ADMIN_PASSWORD)
    setting = {"csrf_token": csrf(client.get("/staf").text), "certificate_after_evaluation": "ya"}
    assert client.post(f"/staf/acara/{event['id']}/evaluasi/sertifikat", data=setting).status_code == 303
    person = register(stack, event["id"], email="tunggu@contoh.id", full_name="Menunggu Evaluasi")
    assert client.post(f"/api/v1/registrations/{person['id']}/check-in", headers=headers).status_code == 200

    def asked_once_ended() -> bool:
        issue_certificates(stack)
        return stack.count("registration", Evaluation) == 1

    wait_for(asked_once_ended, timeout=60, interval=1, message="the evaluation request, once the training has ended")
    mail = wait_for(lambda: evaluation_mails(stack, "tunggu@contoh.id"), timeout=60, message="the evaluation mail")
    assert stack.count("registration", Certificate) == 0  # it waits for the answer
    link = local_path(re.search(r"https?://\S+/e/[A-Z0-9]{10}", mail[0].text()).group(0))
    form = client.get(link)
    assert "Sertifikat Anda terbit setelah evaluasi ini dikirim" in form.text
    answer = {"csrf_token": csrf(form.text), "material": "4", "trainer": "5", "venue": "3"}
    assert client.post(link, data=answer).status_code == 200
    # no hand runs the job now: answering wakes it
    wait_for(lambda: [m for m in stack.smtp.mails_to("tunggu@contoh.id") if "Sertifikat" in m.subject], timeout=30,
             message="the certificate, issued because the evaluation was answered")  # fmt: skip
    assert stack.count("registration", Certificate) == 1
