"""The dashboard: staff only, the same figures as worked out by hand, regency staff see only their kabupaten."""

import re

import pytest
from bs4 import BeautifulSoup

from tests.integration.reporting import scenario
from tests.integration.reporting.conftest import staff_client

WEEK = {"mulai": "2026-03-09", "sampai": "2026-03-15"}


def page(response) -> BeautifulSoup:
    assert response.status_code == 200, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def table_rows(soup: BeautifulSoup, key: str) -> dict:
    """Each row's figures as the dashboard shows them (without the marker of a cell files and mails suppress)."""
    table = soup.find(id=f"t-{key}").find_parent("section").find("table")
    return {
        row.th.get_text(strip=True): [td.find(string=True, recursive=False).strip() for td in row.find_all("td")]
        for row in table.tbody.find_all("tr")
    }


def test_the_dashboard_asks_for_a_staff_sign_in(fed):
    response = fed.test_client().get("/dasbor")
    assert response.status_code == 302 and "/staf/masuk" in response.headers["Location"]


def test_the_dashboard_shows_the_figures_worked_out_by_hand(fed, time_machine):
    time_machine.move_to(scenario.NOW)
    soup = page(staff_client(fed).get("/dasbor", query_string=WEEK))
    expected = scenario.expected()
    for key in ("events_held", "registrations", "attended", "villages_registered"):
        assert soup.find(attrs={"data-figure": key}).get_text(strip=True) == str(expected[key])
    rate = f"{expected['no_show_rate'] * 100:.1f}%".replace(".", ",")
    assert soup.find(attrs={"data-figure": "no_show_rate"}).get_text(strip=True) == rate
    gender = table_rows(soup, "gender")
    assert gender["Perempuan"] == [str(v) for v in expected["gender"]["female"]]
    # provincial staff see every count, small ones included
    assert table_rows(soup, "disability")["Disabilitas sensorik (netra, rungu, wicara)"] == ["3", "2"]
    # every chart sits beside its table, and has a text alternative
    for section in soup.select("section.report-table"):
        if section.find("svg"):
            assert section.find("table") and section.find("svg").get("aria-label")


def test_the_dashboard_speaks_english_on_request(fed):
    soup = page(staff_client(fed).get("/dasbor", query_string=WEEK | {"lang": "en"}))
    assert soup.html["lang"] == "en"


def test_a_regency_organiser_sees_only_their_kabupaten_with_small_counts_suppressed(fed):
    client = staff_client(fed, "regency_organiser", "63.71")
    soup = page(client.get("/dasbor", query_string=WEEK))
    assert soup.find(attrs={"data-figure": "registrations"}).get_text(strip=True) == str(
        scenario.expected("63.71")["registrations"]
    )
    options = [o["value"] for o in soup.select("#f-kabupaten option")]
    assert options == ["63.71"]
    assert client.get("/dasbor", query_string=WEEK | {"kabupaten": "63.03"}).status_code == 403
    banjar = staff_client(fed, "regency_organiser", "63.03")
    disability = table_rows(page(banjar.get("/dasbor", query_string=WEEK)), "disability")
    assert disability["Disabilitas sensorik (netra, rungu, wicara)"] == ["<5", "<5"]


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "csv"])
def test_staff_download_the_report_of_any_period(fed, fmt):
    response = staff_client(fed).get(f"/dasbor/unduh.{fmt}", query_string=WEEK | {"kabupaten": "63.03"})
    assert response.status_code == 200
    assert re.search(r"pelita-2026-03-09_2026-03-15-63\.03", response.headers["Content-Disposition"])
    assert fed.test_client().get(f"/dasbor/unduh.{fmt}", query_string=WEEK).status_code == 302


def test_a_period_that_ends_before_it_starts_is_explained(fed):
    response = staff_client(fed).get("/dasbor", query_string={"mulai": "2026-03-15", "sampai": "2026-03-09"})
    assert response.status_code == 400 and "Tanggal awal harus sebelum tanggal akhir." in response.text
