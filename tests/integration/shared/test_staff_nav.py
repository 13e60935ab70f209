"""One staff navigation on every service's staff pages: Acara, Pesan, Laporan, [Akun staf], Kata sandi, Keluar."""

import re

import pytest
from bs4 import BeautifulSoup

from shared.staffauth import STAFF_COOKIE, StaffClaims
from tests.factories import staff_token
from tests.integration.conftest import build
from tests.integration.shared.test_error_pages import FACTORIES

ADMIN = StaffClaims(1, "admin@pelita.local", "provincial_admin")
ORGANISER = StaffClaims(2, "org@contoh.id", "regency_organiser", "63.03")
PAGES = {"registration": "/staf", "notifications": "/staf", "reporting": "/dasbor"}


def staff_page(app, path: str, claims: StaffClaims) -> BeautifulSoup:
    client = app.test_client()
    client.set_cookie(STAFF_COOKIE, staff_token(app, claims))
    response = client.get(path)
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


@pytest.mark.parametrize("service", PAGES)
def test_every_service_shows_the_same_staff_navigation(service, new_store, redis_url, monkeypatch):
    urls = {name: f"https://{name}.pelita.contoh.id" for name in PAGES}
    for name, url in urls.items():
        monkeypatch.setenv(f"{name.upper()}_PUBLIC_URL", url)
    app = build(FACTORIES[service], new_store(service), redis_url)
    page = staff_page(app, PAGES[service], ADMIN)
    nav = page.find("nav", attrs={"aria-label": "Menu staf"})
    links = [(a.text, a["href"]) for a in nav.find_all("a")]
    assert links[:5] == [
        ("Acara", f"{urls['registration']}/staf"),
        ("Pesan", f"{urls['notifications']}/staf"),
        ("Laporan", f"{urls['reporting']}/dasbor"),
        ("Akun staf", f"{urls['registration']}/staf/akun"),
        ("Kata sandi", f"{urls['registration']}/staf/kata-sandi"),
    ]
    current = nav.find("a", attrs={"aria-current": "page"}).text
    assert current == {"registration": "Acara", "notifications": "Pesan", "reporting": "Laporan"}[service]
    sign_out = nav.find(string=re.compile("Keluar")).find_parent(["a", "form"])
    if service == "registration":  # a POST with the CSRF token
        assert (
            sign_out.name == "form" and sign_out["method"] == "post" and sign_out.find("input", {"name": "csrf_token"})
        )
    else:  # registration's sign-out page, which asks and signs out with a POST
        assert sign_out["href"] == f"{urls['registration']}/staf/keluar"
    assert page.body["class"] == ["staff"]  # the whole width of the screen


def test_only_a_provincial_admin_sees_staff_accounts(registration):
    nav = staff_page(registration, "/staf", ORGANISER).find("nav", attrs={"aria-label": "Menu staf"})
    assert "Akun staf" not in nav.text and "Kata sandi" in nav.text


def test_signing_out_from_another_service_asks_then_signs_out(registration):
    client = registration.test_client()
    client.set_cookie(STAFF_COOKIE, staff_token(registration, ADMIN))
    page = client.get("/staf/keluar")
    assert page.status_code == 200 and "Ya, keluar" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    out = client.post("/staf/keluar", data={"csrf_token": csrf})
    assert out.status_code == 303 and "pelita_staff=;" in out.headers["Set-Cookie"]


def test_public_pages_keep_a_readable_column_without_the_staff_navigation(registration):
    page = BeautifulSoup(registration.test_client().get("/").text, "html.parser")
    assert page.find("nav", attrs={"aria-label": "Menu staf"}) is None and not page.body.get("class")
