"""Fuzzing: the OpenAPI document against schemathesis, and the public form against hypothesis."""

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_event_body
from tests.integration.registration.test_public_form import form_fields, hidden

FIELDS = list(form_fields())


@pytest.fixture
def published(registration, auth):
    return registration.test_client().post("/api/v1/events", json=make_event_body(), headers=auth).json["id"]


def test_schemathesis_finds_no_5xx_and_no_response_breaking_the_schema(registration, auth, published):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", registration)
    schema.config.update(headers=auth)  # staff endpoints get real work, not only 401s
    failures = []

    for operation in schema.get_all_operations():
        strategy = operation.ok().as_strategy()

        @given(case=strategy)
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            if "event_id" in (case.path_parameters or {}):
                case.path_parameters["event_id"] = published
            response = case.call()
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
            case.validate_response(response, checks=[schemathesis.checks.response_schema_conformance])

        run()
    assert failures == []


text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, text)))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_any_form_input_gets_an_answer_never_a_server_error(make_registration_app, data):
    app = getattr(test_any_form_input_gets_an_answer_never_a_server_error, "app", None)
    if app is None:
        app = test_any_form_input_gets_an_answer_never_a_server_error.app = make_registration_app()
        client = app.test_client()
        token = client.post("/api/v1/auth/token", json={"email": "admin@pelita.local", "password": "rahasia-admin"})
        headers = {"Authorization": f"Bearer {token.json['token']}"}
        app.event_id = client.post("/api/v1/events", json=make_event_body(capacity=2), headers=headers).json["id"]
    client = app.test_client()
    page = client.get(f"/acara/{app.event_id}/daftar")
    response = client.post(f"/acara/{app.event_id}/daftar", data={**data, **hidden(page.text)})
    assert response.status_code in (200, 303, 400, 409, 429)
    assert "<script>" not in response.text


def test_a_name_with_a_script_tag_renders_inert_everywhere(registration, published):
    client = registration.test_client()
    name = '<script>alert("x")</script>'
    page = client.get(f"/acara/{published}/daftar")
    done = client.post(f"/acara/{published}/daftar", data=form_fields(full_name=name, **hidden(page.text)))
    confirmation = client.get(done.headers["Location"])
    assert "&lt;script&gt;alert(" in confirmation.text and "<script>" not in confirmation.text
    assert re.search(r"&lt;script&gt;", confirmation.text)
