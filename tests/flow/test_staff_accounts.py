"""A staff account's whole life over the real bus: the invitation mail arrives, its link sets a password once, the
new organiser's token works in every service, and once the account is disabled every service refuses it."""

import re

from tests.flow.conftest import ADMIN_PASSWORD, wait_for
from tests.integration.registration.test_public_form import csrf
from tests.integration.registration.test_staff_pages import sign_in

PROBES = {"notifications": "/api/v1/notifications", "reporting": "/api/v1/summary"}


def status(stack, service: str, headers: dict) -> int:
    return stack.app(service).test_client().get(PROBES[service], headers=headers).status_code


def test_an_invited_organiser_signs_in_everywhere_until_disabled(stack):
    registration = stack.app("registration")
    admin = registration.test_client()
    assert sign_in(admin, password=ADMIN_PASSWORD).status_code == 303
    page = admin.get("/staf/akun")
    form = {"csrf_token": csrf(page.text), "name": "Rina Wulandari", "email": "rina@banjarkab.go.id",
            "role": "regency_organiser", "kabupaten_code": "63.03"}  # fmt: skip
    assert admin.post("/staf/akun", data=form).status_code == 303

    mail = wait_for(lambda: stack.smtp.mails_to("rina@banjarkab.go.id"), timeout=60, message="the invitation mail")[0]
    link = re.search(r"http://\S+(/staf/atur-sandi/\S+)", mail.text())[1]
    newcomer = registration.test_client()
    password = {"password": "kapal layar di sungai barito", "confirm": "kapal layar di sungai barito"}
    assert newcomer.post(link, data={"csrf_token": csrf(newcomer.get(link).text), **password}).status_code == 303
    assert newcomer.get(link).status_code == 410

    token = registration.test_client().post(
        "/api/v1/auth/token", json={"email": "rina@banjarkab.go.id", "password": password["password"]}
    )
    bearer = {"Authorization": f"Bearer {token.json['token']}"}
    for service in PROBES:
        wait_for(lambda s=service: status(stack, s, bearer) == 200, timeout=60, message=f"{service} to know Rina")

    page = admin.get("/staf/akun")
    rina = re.search(r'action="/staf/akun/(\d+)/nonaktifkan"', page.text)[1]
    assert admin.post(f"/staf/akun/{rina}/nonaktifkan", data={"csrf_token": csrf(page.text)}).status_code == 303
    for service in PROBES:
        wait_for(lambda s=service: status(stack, s, bearer) == 401, timeout=60, message=f"{service} to refuse Rina")
