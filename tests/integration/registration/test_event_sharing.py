"""Sharing an event on WhatsApp looks right: link preview tags, a share link, the poster, the map and a contact."""

import io
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from PIL import ExifTags, Image

from tests.factories import make_event_body
from tests.integration.registration.test_public_form import csrf
from tests.integration.registration.test_staff_pages import add_regency_organiser, sign_in

TITLE = "Pelatihan Literasi Digital & Perpustakaan Desa"
CONTACT = {"contact_name": "Ibu Rahmah", "contact_whatsapp": "0812-3456-7890"}
MAP = "https://www.openstreetmap.org/?mlat=-3.4167&mlon=114.8500#map=17/-3.4167/114.8500"


def photo(size=(3000, 2000), fmt="JPEG", **save) -> bytes:
    """A phone photo: EXIF with the phone's make, where it was taken (GPS) and its orientation (held upright)."""
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TelefonPintar"
    exif[ExifTags.Base.Orientation] = 6  # turned a quarter: shown 2000 wide, 3000 high
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "S", (3.0, 25.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", (114.0, 51.0, 0.0)
    out = io.BytesIO()
    image.save(out, fmt, exif=exif, **save)
    return out.getvalue()


def form_values(html: str) -> dict:
    """What a browser would send back from the page's form, as it was shown."""
    form = BeautifulSoup(html, "html.parser").find("form", enctype="multipart/form-data")
    values = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name, kind = field.get("name"), field.get("type")
        if not name or kind == "file" or (kind == "checkbox" and not field.has_attr("checked")):
            continue
        if field.name == "textarea":
            values[name] = field.text
        elif field.name == "select":
            chosen = field.find("option", selected=True)
            values[name] = chosen["value"] if chosen else ""
        else:
            values[name] = field.get("value", "")
    return values


@pytest.fixture
def staff(registration):
    client = registration.test_client()
    assert sign_in(client).status_code == 303
    return client


@pytest.fixture
def event(registration, auth) -> dict:
    body = make_event_body(title=TITLE, map_url=MAP, **CONTACT)
    response = registration.test_client().post("/api/v1/events", json=body, headers=auth)
    assert response.status_code == 201, response.json
    return response.json


def edit(staff, event_id: str, poster: bytes | None = None, filename="poster.jpg", **changes):
    values = form_values(staff.get(f"/staf/acara/{event_id}/ubah").text) | changes
    if poster is not None:
        values["poster"] = (io.BytesIO(poster), filename)
    return staff.post(f"/staf/acara/{event_id}/ubah", data=values, content_type="multipart/form-data")


def meta(html: str) -> dict:
    soup = BeautifulSoup(html, "html.parser")
    return {tag["property"]: tag["content"] for tag in soup.find_all("meta", property=True)}


def test_the_event_page_carries_link_preview_tags_with_the_date_in_wita_the_place_and_the_poster(
    registration, staff, event
):
    assert edit(staff, event["id"], photo()).status_code == 303
    page = registration.test_client().get(f"/acara/{event['id']}")
    tags = meta(page.text)
    base = registration.config["PUBLIC_BASE_URL"]
    assert tags["og:title"] == TITLE
    assert tags["og:url"] == f"{base}/acara/{event['id']}"
    assert "WITA" in tags["og:description"] and "Aula Dispersip Kabupaten Banjar" in tags["og:description"]
    assert tags["og:image"].startswith(f"{base}/acara/{event['id']}/poster/")
    image = registration.test_client().get(tags["og:image"].removeprefix(base))
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert "immutable" in image.headers["Cache-Control"] and "max-age=31536000" in image.headers["Cache-Control"]
    assert Image.open(io.BytesIO(image.data)).size == (int(tags["og:image:width"]), int(tags["og:image:height"]))


def test_the_whatsapp_share_link_carries_the_title_date_and_address_encoded(registration, event):
    page = BeautifulSoup(registration.test_client().get(f"/acara/{event['id']}").text, "html.parser")
    link = page.find("a", string="Bagikan ke WhatsApp")["href"]
    assert link.startswith("https://wa.me/?text=")
    encoded = link.removeprefix("https://wa.me/?text=")
    assert " " not in encoded and "&" not in encoded and "\n" not in encoded  # the title's "&" cannot cut it short
    title, when, url = unquote(encoded).split("\n")
    assert (
        title == TITLE
        and when.endswith("WITA")
        and url == f"{registration.config['PUBLIC_BASE_URL']}/acara/{event['id']}"
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)  # the pictures' bytes kept in either
def test_an_uploaded_poster_is_turned_upright_resized_and_stripped_of_its_metadata(registration, staff, event):
    assert edit(staff, event["id"], photo(comment=b"Rumah Siti, Jl. Melati 7")).status_code == 303
    page = BeautifulSoup(registration.test_client().get(f"/acara/{event['id']}").text, "html.parser")
    shown = page.find("img", alt=f"Poster {TITLE}")
    small = registration.test_client().get(shown["src"])
    large = registration.test_client().get(shown["src"].replace("/kecil.jpg", "/besar.jpg"))
    for served, size in ((small, (533, 800)), (large, (800, 1200))):  # 3000×2000 held upright: 2:3
        picture = Image.open(io.BytesIO(served.data))
        assert picture.format == "JPEG" and picture.size == size
        assert not picture.getexif() and "exif" not in picture.info and "icc_profile" not in picture.info
        assert b"TelefonPintar" not in served.data and b"Exif" not in served.data and b"Melati" not in served.data
    assert (shown["width"], shown["height"]) == ("533", "800")

    assert edit(staff, event["id"], photo(size=(900, 600), fmt="PNG"), filename="baru.png").status_code == 303
    assert registration.test_client().get(shown["src"]).status_code == 404  # the old address: gone, not stale
    assert edit(staff, event["id"], remove_poster="ya").status_code == 303
    assert "og:image" not in meta(registration.test_client().get(f"/acara/{event['id']}").text)


def bomb() -> bytes:
    """A small PNG that unpacks to 100 megapixels."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


@pytest.mark.parametrize(
    ("upload", "said"),
    [
        (b"%PDF-1.7 bukan gambar", "bukan gambar JPEG, PNG atau WebP"),
        (photo()[:5000], "bukan gambar JPEG, PNG atau WebP"),  # cut short
        (b"GIF89a" + bytes(100), "bukan gambar JPEG, PNG atau WebP"),
        (bomb(), "lebih dari 50 megapiksel"),
        (b"\xff\xd8" + bytes(5 * 1024 * 1024), "paling besar 5 MB"),
    ],
    ids=["pdf", "truncated", "gif", "decompression-bomb", "over-5-mb"],
)
def test_a_file_that_cannot_be_a_poster_is_refused_with_a_message_and_the_form_kept(
    registration, staff, event, upload, said
):
    response = edit(staff, event["id"], upload, venue="Aula Baru Dispersip")
    assert response.status_code == 400 and said in response.text
    assert 'href="#field-poster"' in response.text and 'value="Aula Baru Dispersip"' in response.text
    assert "og:image" not in meta(registration.test_client().get(f"/acara/{event['id']}").text)


def test_a_request_far_over_the_upload_limit_is_told_in_words(registration, staff, event):
    response = edit(staff, event["id"], bytes(7 * 1024 * 1024))
    assert response.status_code == 413 and "paling besar 5 MB" in response.text


@pytest.mark.parametrize(
    "address", ["http://maps.google.com/?q=Martapura", "javascript:alert(1)", "maps.google.com", "https://"]
)
def test_the_map_link_must_be_https(registration, auth, staff, event, address):
    refused = edit(staff, event["id"], map_url=address)
    assert refused.status_code == 400 and "https://" in refused.text
    api = registration.test_client().patch(f"/api/v1/events/{event['id']}", json={"map_url": address}, headers=auth)
    assert api.status_code == 422
    link = BeautifulSoup(registration.test_client().get(f"/acara/{event['id']}").text, "html.parser").find(
        "a", string="Lihat lokasi di peta"
    )
    assert link["href"] == MAP  # unchanged


def test_the_contact_person_is_shown_with_a_whatsapp_link(registration, staff, event):
    page = BeautifulSoup(registration.test_client().get(f"/acara/{event['id']}").text, "html.parser")
    link = page.find("a", href="https://wa.me/6281234567890")
    assert link is not None and "0812-3456-7890" in link.text
    assert "Ibu Rahmah" in link.parent.text
    half = edit(staff, event["id"], contact_whatsapp="")
    assert half.status_code == 400 and "Isi nomor WhatsApp narahubung" in half.text


def test_the_api_gives_the_sharing_fields_and_a_drafts_poster_is_not_public(registration, auth, staff):
    client = registration.test_client()
    draft = client.post("/api/v1/events", json=make_event_body(publish=False, **CONTACT), headers=auth).json
    assert draft["contact_whatsapp"] == "+6281234567890" and draft["map_url"] == "" and draft["poster_url"] is None
    assert edit(staff, draft["id"], photo()).status_code == 303
    managed = {item["id"]: item for item in client.get("/api/v1/events/managed", headers=auth).json}
    poster = managed[draft["id"]]["poster_url"]
    assert poster.endswith("/besar.jpg")
    assert client.get(poster.removeprefix(registration.config["PUBLIC_BASE_URL"])).status_code == 404
    client.post(f"/api/v1/events/{draft['id']}/publish", headers=auth)
    assert client.get(poster.removeprefix(registration.config["PUBLIC_BASE_URL"])).status_code == 200


def test_staff_can_give_and_remove_a_poster_through_the_api_and_a_bad_file_is_a_400(registration, auth, event):
    client, url = registration.test_client(), f"/api/v1/events/{event['id']}/poster"
    given = client.put(url, data={"poster": (io.BytesIO(photo()), "poster.jpg")}, headers=auth)
    assert given.status_code == 200 and given.json["poster_url"].endswith("/besar.jpg")
    picture = client.get(given.json["poster_url"].removeprefix(registration.config["PUBLIC_BASE_URL"]))
    assert Image.open(io.BytesIO(picture.data)).size == (800, 1200) and b"Exif" not in picture.data
    refused = client.put(url, data={"poster": (io.BytesIO(b"%PDF-1.7"), "poster.pdf")}, headers=auth)
    assert refused.status_code == 400 and "bukan gambar JPEG, PNG atau WebP" in refused.json["message"]
    assert client.put(url, data={"poster": (io.BytesIO(photo()), "p.jpg")}).status_code == 401
    removed = client.delete(url, headers=auth)
    assert removed.status_code == 200 and removed.json["poster_url"] is None


def test_an_organiser_of_another_kabupaten_cannot_change_the_poster(registration, event):
    add_regency_organiser(registration, "63.06")  # the event is in 63.03
    client = registration.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "org@contoh.id", "password": "pw-org"}).json["token"]
    url, headers = f"/api/v1/events/{event['id']}/poster", {"Authorization": f"Bearer {token}"}
    assert client.put(url, data={"poster": (io.BytesIO(photo()), "p.jpg")}, headers=headers).status_code == 403
    assert client.delete(url, headers=headers).status_code == 403
    sign_in(client, "org@contoh.id", "pw-org")
    token = csrf(client.get("/staf/masuk").text)
    upload = {"csrf_token": token, "poster": (io.BytesIO(photo()), "p.jpg")}
    form = client.post(f"/staf/acara/{event['id']}/ubah", data=upload)
    assert form.status_code == 403
