"""The door kit: an installable web app, scoped to one event (/staf/acara/<id>/pintu/), that keeps checking people in
and registering walk-ins without signal and syncs when the signal returns (docs/organiser.md, "Kit pintu").

Its page and scripts carry nothing personal, so the service worker may keep them; the list comes from `data`
(never cached) and is kept on the phone encrypted with the key that comes with it. Routes of the staff blueprint.
"""

import json

from flask import Response, abort, g, render_template, request, url_for
from flask_wtf.csrf import generate_csrf
from marshmallow import ValidationError

from services.registration import attendance, door, labels, service
from services.registration.api.staff import _day_label, bp
from services.registration.schemas.door import DoorSyncSchema, load_people
from shared import regions
from shared.staffauth import staff_page
from shared.web import field_errors

#: Raise it when the page or the scripts change: the phones' service workers then fetch them again.
KIT_VERSION = "3"
JSON = "application/json"


@bp.get("/acara/<event_id>/pintu/")
@staff_page
def door_kit(event_id: str):
    """The kit's one page: search, scan, walk-in form and the records not yet synced (JavaScript does the work)."""
    event = service.get_staff_event(event_id, g.staff)
    days = [(day.isoformat(), _day_label(day)) for day in attendance.days(event)]
    kabupaten = [(area.code, area.name) for area in regions.kabupaten()]  # where a walk-in lives: any of them
    return render_template("staff/door_kit.html", event=event, labels=labels, attendance_days=days,
                           kabupaten=kabupaten)  # fmt: skip


@bp.get("/acara/<event_id>/pintu/manifest.webmanifest")
@staff_page
def door_kit_manifest(event_id: str):
    """What makes the kit installable: its name, its scope (this event's door only) and its icon."""
    event = service.get_staff_event(event_id, g.staff)
    scope = url_for(".door_kit", event_id=event.id)
    icon = url_for("static", filename="pintu/icon-192.png")
    manifest = {
        "name": f"Pintu: {event.title}"[:100],
        "short_name": "Pintu",
        "start_url": scope,
        "scope": scope,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#14532d",
        "lang": "id",
        "icons": [
            {"src": icon, "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename="pintu/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return Response(json.dumps(manifest), mimetype="application/manifest+json")


@bp.get("/acara/<event_id>/pintu/sw.js")
@staff_page
def door_kit_worker(event_id: str):
    """The service worker: served from the kit's own path, so its scope is this event's door kit."""
    event = service.get_staff_event(event_id, g.staff)
    scope = url_for(".door_kit", event_id=event.id)
    shell = [
        scope,
        url_for(".door_kit_manifest", event_id=event.id),
        url_for("static", filename="pintu/door-kit.js"),
        url_for("static", filename="pintu/jsQR.js"),
        url_for("static", filename="pintu/icon-192.png"),
        url_for("pelita_static", filename="pelita.css"),
    ]
    body = render_template("staff/door_kit_sw.js", shell=shell, prefix=f"pelita-pintu-{event.id}-", version=KIT_VERSION)
    return Response(body, mimetype="text/javascript", headers={"Service-Worker-Allowed": scope})


@bp.get("/acara/<event_id>/pintu/data")
@staff_page
def door_kit_data(event_id: str):
    """The key, the CSRF token and the list, for the kit's memory only (never cached: Cache-Control no-store)."""
    data = door.kit_data(event_id, g.staff) | {"csrf": generate_csrf()}
    return Response(json.dumps(data), mimetype=JSON)


@bp.post("/acara/<event_id>/pintu/sinkron")
@staff_page
def door_kit_sync(event_id: str):
    """Take the records a phone made at the door (JSON, with the X-CSRFToken header); answer each one's outcome."""
    body = request.get_json(silent=True) if request.mimetype == JSON else None
    if not isinstance(body, dict):
        abort(400)
    try:
        records = DoorSyncSchema().load(body, unknown="exclude")["records"]
    except ValidationError as error:
        message = {"code": 422, "errors": field_errors(error.messages)}
        return Response(json.dumps(message), status=422, mimetype=JSON)
    results = door.sync(event_id, load_people(records), g.staff)
    return Response(json.dumps({"results": results}), mimetype=JSON)
