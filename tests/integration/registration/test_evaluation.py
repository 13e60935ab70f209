"""The evaluation after a training (docs/evaluation.md): asked once of exactly those present when the training ends,
answered once on a light public form without an account, its limits kept, malformed answers a 4xx; organisers of the
event's kabupaten alone set its knowledge test and read the answers; the certificate can wait for the evaluation."""

import re

import pytest
import sqlalchemy as sa

from services.registration import retention, rights
from services.registration.extensions import db
from services.registration.models import Certificate, Evaluation, Pretest
from tests.factories import make_event_body
from tests.integration.registration.test_certificates import after, ended_training, issue
from tests.integration.registration.test_page_weight import assert_light_and_local
from tests.integration.registration.test_public_form import csrf, form_fields, hidden
from tests.integration.registration.test_staff_api import events_of, today
from tests.integration.registration.test_staff_pages import add_regency_organiser, sign_in

GOOD = {"material": "5", "trainer": "4", "venue": "3", "action_plan": "Membuka kelas literasi di desa",
        "comments": "Waktunya kurang panjang."}  # fmt: skip


def form_path(url: str) -> str:
    return "/e/" + re.fullmatch(r"https?://[^/]+/e/([A-Z2-9]{10})", url).group(1)


def requested(registration) -> list[dict]:
    return events_of(registration, "evaluation.requested")


def evaluations(registration) -> list[Evaluation]:
    with registration.app_context():
        rows = list(db.session.scalars(sa.select(Evaluation).order_by(Evaluation.requested_at)))
        db.session.expunge_all()
        return rows


def send(client, path: str, **fields):
    page = client.get(path)
    return client.post(path, data={"csrf_token": csrf(page.text), **fields})


def staff_client(registration):
    client = registration.test_client()
    sign_in(client)
    return client, csrf(client.get("/staf").text)


def add_question(
    client, token, event_id, text="Apa kepanjangan TPBIS?", options=("Transformasi Perpustakaan", "Taman"), correct="1"
):
    data = {"csrf_token": token, "text": text, "correct": correct}
    data |= {f"option_{n}": option for n, option in enumerate(options, 1)}
    return client.post(f"/staf/acara/{event_id}/evaluasi/soal", data=data)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_an_ended_training_asks_exactly_those_present_once(registration, auth):
    event, people = ended_training(registration, auth, present=2, absent=1)
    issue(registration, after(event, -30))
    assert requested(registration) == []  # not yet ended
    issue(registration, after(event))
    issue(registration, after(event, 10))  # the job again: nobody asked twice
    asked = requested(registration)
    assert sorted(p["registration_id"] for p in asked) == sorted(p["id"] for p in people[:2])
    assert all(form_path(p["evaluation_url"]) for p in asked)
    assert len({p["evaluation_url"] for p in asked}) == 2 and len(evaluations(registration)) == 2


def test_a_training_without_a_signatory_is_evaluated_all_the_same(registration, auth):
    event, _ = ended_training(registration, auth, present=1, absent=0, signatory_name="")
    issue(registration, after(event))
    assert len(requested(registration)) == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_the_form_is_answered_once_and_its_scores_go_out_once(registration, auth):
    event, people = ended_training(registration, auth, present=1, absent=0)
    issue(registration, after(event))
    client, path = registration.test_client(), form_path(requested(registration)[0]["evaluation_url"])
    page = client.get(path)
    assert page.status_code == 200 and "Pelatihan Literasi Digital" in page.text and "<script" not in page.text
    assert page.text.count('type="radio"') == 15 and "Peserta Nomor 1" not in page.text  # no name on a link's page
    done = send(client, path, **GOOD)
    assert done.status_code == 200 and "Terima kasih atas evaluasi Anda" in done.text
    token = csrf(page.text)  # the form kept open in a second tab, sent again
    again = client.post(path, data={"csrf_token": token, **GOOD, "material": "1", "comments": "Ubah jawaban"})
    assert again.status_code == 200 and "Terima kasih atas evaluasi Anda" in again.text
    assert client.get(path).text == done.text  # the form is not shown again
    submitted = events_of(registration, "evaluation.submitted")
    assert len(submitted) == 1
    assert {k: submitted[0][k] for k in ("material", "trainer", "venue", "questions", "pre_score", "post_score")} == {
        "material": 5, "trainer": 4, "venue": 3, "questions": 0, "pre_score": None, "post_score": None}  # fmt: skip
    assert submitted[0]["registration_id"] == people[0]["id"] and "comments" not in submitted[0]
    row = evaluations(registration)[0]
    assert (row.material, row.comments) == (5, "Waktunya kurang panjang.")


@pytest.mark.parametrize(
    "fields",
    [
        {},
        GOOD | {"material": ""},
        GOOD | {"trainer": "9"},
        GOOD | {"venue": "0"},
        GOOD | {"venue": "tiga"},
        GOOD | {"material": "3.5"},
        GOOD | {"action_plan": "a" * 301},
        GOOD | {"action_plan": "dua\nbaris"},
        GOOD | {"comments": "b" * 2001},
        GOOD | {"comments": "tak\u200bterlihat"},
        GOOD | {"comments": "x" * 100_000},
    ],
)
def test_a_form_the_rules_refuse_is_a_400_and_stores_nothing(registration, auth, fields):
    event, _ = ended_training(registration, auth, present=1, absent=0)
    issue(registration, after(event))
    path = form_path(requested(registration)[0]["evaluation_url"])
    answer = send(registration.test_client(), path, **fields)
    assert answer.status_code == 400 and "Ada yang perlu diperbaiki" in answer.text
    assert evaluations(registration)[0].answered_at is None and events_of(registration, "evaluation.submitted") == []


@pytest.mark.parametrize("code", ["AAAAAAAAAA", "A" * 5000, "%00%ff", "abc", "ABCDEFGHI0"])
def test_an_unknown_or_malformed_link_is_a_4xx(registration, code):
    client = registration.test_client()
    assert client.get(f"/e/{code}").status_code in (400, 404)  # a NUL in the address is refused before the route
    assert client.post(f"/e/{code}", data=GOOD).status_code in (400, 404)  # no CSRF token: refused before all else


def test_the_form_its_errors_and_its_thanks_are_light_and_local(registration, auth):
    event, _ = ended_training(registration, auth, present=1, absent=0)
    client = registration.test_client()
    staff, token = staff_client(registration)
    for n in range(10):  # the heaviest form: a full knowledge test
        add_question(staff, token, event["id"], text=f"Pertanyaan nomor {n + 1} yang cukup panjang untuk diuji?",
                     options=[f"Pilihan jawaban {k} yang juga agak panjang" for k in range(5)])  # fmt: skip
    issue(registration, after(event))
    path = form_path(requested(registration)[0]["evaluation_url"])
    form = client.get(path).text
    errors = send(client, path, material="2")
    done = send(client, path, **GOOD)
    for html in (form, errors.text, done.text):
        assert_light_and_local(client, html)
        assert "<script" not in html


def test_the_knowledge_test_is_asked_at_registration_and_after_and_scored(registration, auth):
    client = registration.test_client()
    event = client.post("/api/v1/events", json=make_event_body(**today()), headers=auth).json
    staff, token = staff_client(registration)
    assert add_question(staff, token, event["id"]).status_code == 303
    assert add_question(staff, token, event["id"], text="Berapa hari pelatihan ini?", options=("1", "2", "3"),
                        correct="2").status_code == 303  # fmt: skip
    form = client.get(f"/acara/{event['id']}/daftar").text
    first, second = dict.fromkeys(re.findall(r'name="(jawaban_\d+)"', form))
    assert "Tes pengetahuan awal" in form
    tampered = client.post(f"/acara/{event['id']}/daftar", data=form_fields(**hidden(form)) | {first: "7"})
    assert tampered.status_code == 400
    done = client.post(f"/acara/{event['id']}/daftar", data=form_fields(**hidden(form)) | {first: "2", second: "2"})
    assert done.status_code == 303
    with registration.app_context():
        pretest = db.session.scalars(sa.select(Pretest)).one()
        person = pretest.registration_id
        assert pretest.score == 1  # the first wrong, the second right
    assert staff.post(f"/api/v1/registrations/{person}/check-in", headers=auth).status_code == 200
    assert add_question(staff, token, event["id"], text="Soal baru setelah ada jawaban?").status_code == 409
    issue(registration, after(event))
    path = form_path(requested(registration)[0]["evaluation_url"])
    assert "Tes pengetahuan" in client.get(path).text
    send(client, path, **GOOD | {first: "1", second: "2"})
    submitted = events_of(registration, "evaluation.submitted")[0]
    assert (submitted["questions"], submitted["pre_score"], submitted["post_score"]) == (2, 1, 2)
    page = staff.get(f"/staf/acara/{event['id']}/evaluasi").text
    assert "Sudah menjawab: 1 dari 1" in page and "Membuka kelas literasi di desa" in page
    assert "rata-rata 1,0, n = 1" in page  # the gain: post 2 minus pre 1
    assert "Siti Rahmah" not in page  # the answers are read without names


@pytest.mark.parametrize(
    "fields",
    [
        {"text": "", "option_1": "a", "option_2": "b", "correct": "1"},
        {"text": "Pertanyaan?", "option_1": "Satu saja", "correct": "1"},
        {"text": "Pertanyaan?", "option_1": "a", "option_2": "b", "correct": "3"},
        {"text": "Pertanyaan?", "option_1": "a", "option_2": "b"},
        {"text": "Pertanyaan?", "option_1": "a", "option_2": "b", "correct": "x" * 500},
        {"text": "P" * 301, "option_1": "a", "option_2": "b", "correct": "1"},
        {"text": "Pertanyaan?", "option_1": "a" * 151, "option_2": "b", "correct": "1"},
    ],
)
def test_a_question_the_rules_refuse_is_a_400(registration, auth, fields):
    event = registration.test_client().post("/api/v1/events", json=make_event_body(), headers=auth).json
    staff, token = staff_client(registration)
    answer = staff.post(f"/staf/acara/{event['id']}/evaluasi/soal", data={"csrf_token": token, **fields})
    assert answer.status_code == 400
    assert "Acara ini belum punya tes pengetahuan" in answer.text


def test_an_event_has_at_most_ten_questions(registration, auth):
    event = registration.test_client().post("/api/v1/events", json=make_event_body(), headers=auth).json
    staff, token = staff_client(registration)
    assert [add_question(staff, token, event["id"]).status_code for _ in range(11)] == [303] * 10 + [409]


def test_only_organisers_of_the_events_kabupaten_reach_its_evaluation(registration, auth):
    event, _ = ended_training(registration, auth, present=1, absent=0)
    issue(registration, after(event))
    send(registration.test_client(), form_path(requested(registration)[0]["evaluation_url"]), **GOOD)
    add_regency_organiser(registration, "63.06")
    other = registration.test_client()
    sign_in(other, "org@contoh.id", "pw-org")
    token = csrf(other.get("/staf").text)
    base = f"/staf/acara/{event['id']}/evaluasi"
    assert other.get(base).status_code == 403
    assert add_question(other, token, event["id"]).status_code == 403
    assert (
        other.post(f"{base}/sertifikat", data={"csrf_token": token, "certificate_after_evaluation": "ya"}).status_code
        == 403
    )
    assert other.post(f"{base}/soal/1/hapus", data={"csrf_token": token}).status_code == 403
    assert other.get("/staf/acara/tidak-ada/evaluasi").status_code == 404
    assert registration.test_client().get(base).status_code == 302  # signed out: to the sign-in page
    mine = registration.test_client()
    add_regency_organiser_of(registration, "63.03")
    sign_in(mine, "org2@contoh.id", "pw-org")
    assert "Waktunya kurang panjang." in mine.get(base).text


def add_regency_organiser_of(app, kabupaten_code):
    from werkzeug.security import generate_password_hash

    from services.registration.models import Staff

    with app.app_context():
        password = generate_password_hash("pw-org")
        db.session.add(Staff(email="org2@contoh.id", name="Org", role="regency_organiser",
                             kabupaten_code=kabupaten_code, password_hash=password))  # fmt: skip
        db.session.commit()


def certificates_of(registration) -> set[str]:
    with registration.app_context():
        return set(db.session.scalars(sa.select(Certificate.registration_id)))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_certificate_set_to_wait_for_the_evaluation_follows_the_answer(registration, auth):
    event, people = ended_training(registration, auth, present=2, absent=0)
    staff, token = staff_client(registration)
    setting = f"/staf/acara/{event['id']}/evaluasi/sertifikat"
    assert staff.post(setting, data={"csrf_token": token, "certificate_after_evaluation": "ya"}).status_code == 303
    assert issue(registration, after(event)).numbered == 0  # nobody answered yet
    assert len(requested(registration)) == 2
    payload = next(p for p in requested(registration) if p["registration_id"] == people[1]["id"])
    page = registration.test_client().get(form_path(payload["evaluation_url"]))
    assert "Sertifikat Anda terbit setelah evaluasi ini dikirim" in page.text
    send(registration.test_client(), form_path(payload["evaluation_url"]), **GOOD)
    assert issue(registration, after(event, 6)).numbered == 1
    assert certificates_of(registration) == {people[1]["id"]}
    staff.post(setting, data={"csrf_token": token})  # the setting off: the other gets theirs too
    assert issue(registration, after(event, 7)).numbered == 1
    assert certificates_of(registration) == {people[0]["id"], people[1]["id"]}


def test_erasure_takes_the_evaluation_and_retention_empties_its_texts(registration, auth):
    event, people = ended_training(registration, auth, present=2, absent=0)
    issue(registration, after(event))
    paths = {p["registration_id"]: form_path(p["evaluation_url"]) for p in requested(registration)}
    for person in people:
        send(registration.test_client(), paths[person["id"]], **GOOD)
    with registration.app_context():
        assert rights.erase(people[0]["id"])
    assert registration.test_client().get(paths[people[0]["id"]]).status_code == 404
    assert [row.registration_id for row in evaluations(registration)] == [people[1]["id"]]
    with registration.app_context():
        retention.anonymise_registrations(after(event, 60 * 24 * 400))
        retention.forget_message_history_and_codes(after(event, 60 * 24 * 400))
    row = evaluations(registration)[0]
    assert (row.action_plan, row.comments, row.material) == ("", "", 5)  # the texts go, the scores stay


def test_a_persons_copy_of_their_data_has_their_evaluation_and_says_organisers_read_it(registration, auth):
    import json

    from services.registration import mydata

    event, people = ended_training(registration, auth, present=1, absent=0)
    issue(registration, after(event))
    client = registration.test_client()
    send(client, form_path(requested(registration)[0]["evaluation_url"]), **GOOD)
    staff, _ = staff_client(registration)
    staff.get(f"/staf/acara/{event['id']}/evaluasi")  # an organiser reads the event's answers
    with registration.app_context():
        page = "/" + mydata.link(people[0]["id"]).split("/", 3)[3]
    copy = json.loads(client.get(f"{page}/unduh").data)
    assert copy["evaluation"]["comments"] == "Waktunya kurang panjang." and copy["evaluation"]["material"] == 5
    assert "petugas membaca evaluasi acara ini" in client.get(page).text


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_two_runs_at_once_ask_each_attendee_once(registration, auth):
    import threading

    event, people = ended_training(registration, auth, present=6, absent=0)
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        issue(registration, after(event))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(p["registration_id"] for p in requested(registration)) == sorted(p["id"] for p in people)
    assert len(evaluations(registration)) == 6
