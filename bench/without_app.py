"""The registration web with parts of the public form's work switched off, for `bench.registration --without`.

It measures what those parts cost in the burst (docs/performance.md). Each part is something an issue or
the architecture asks for, so nothing deployed runs this module. `gunicorn bench.without_app:app` with
PELITA_BENCH_WITHOUT naming the parts, comma-separated, or `all`.
"""

import os

#: The parts that can be switched off, and what each one is.
PARTS = {
    "csrf": "Flask-WTF's CSRF check of the form (and so its session cookie's signature)",
    "rate-limit": "the form's rate limit, one Redis script per submission",
    "render-time": "the signed render time and the honeypot (docs/reliability.md)",
    "signed-links": "the three signed links of a registration (its page, cancel and check-in URLs)",
    "contract": "the registration.created contract check (a marshmallow load and dump)",
    "nudge": "the outbox nudge after the commit (the relay's beat sweep still sends every row)",
    "page-cache": "the public pages' cache (shared/web/pagecache.py): every page rendered in full, as before issue 23",
}


#: Not one of the form's protections: `all` leaves the cache on; `page-cache` alone measures the pages as they were.
NOT_A_PROTECTION = ("page-cache",)


def parts(names: str) -> list[str]:
    """The parts `names` gives (comma-separated, or `all`: every protection); raise ValueError for a name not in
    PARTS."""
    protections = [name for name in PARTS if name not in NOT_A_PROTECTION]
    chosen = protections if names.strip() == "all" else [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in PARTS]
    if unknown:
        raise ValueError(f"unknown parts {', '.join(unknown)}; choose from {', '.join(PARTS)} or all")
    return chosen


def create_app(names: str):
    from services.registration import service
    from services.registration.api import public
    from services.registration.app import create_app as create_registration_app
    from shared.messaging import publisher

    app = create_registration_app()
    chosen = parts(names)
    if "csrf" in chosen:
        app.config["WTF_CSRF_ENABLED"] = False
    if "rate-limit" in chosen:
        public.form_rate_limit.check = lambda: None
    if "render-time" in chosen:
        public._screen = lambda event_id: None
    if "signed-links" in chosen:
        service.sign = lambda salt, registration_id: registration_id
    if "contract" in chosen:
        publisher.produce_payload = _unchecked
    if "nudge" in chosen:
        app.config["OUTBOX_NUDGE"] = False
    if "page-cache" in chosen:
        app.view_functions["public.event"] = _event_in_full
        app.view_functions["public.register"] = _form_in_full(app.view_functions["public.register"])
    return app


def _event_in_full(event_id: str):
    """An event's page as it was served before the cache: the event and its kabupaten loaded, the page rendered."""
    from flask import render_template

    from services.registration import service
    from services.registration.api import public

    return render_template("public/event.html", **public._event_context(service.get_public_event(event_id)))


def _form_in_full(register):
    """The form's first showing as it was served before the cache (the event loaded, the form rendered); the rest of
    the view as it is."""
    from flask import request

    from services.registration import service
    from services.registration.api import public

    def view(event_id: str):
        if request.method == "GET":
            return public._form(service.open_event(event_id), request.form, {})
        return register(event_id)

    return view


def _unchecked(event_type: str, payload: dict, version: int | None = None) -> dict:
    """The payload made JSON-ready as the contract's dump would, without loading it through the contract."""
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in payload.items()}


app = create_app(os.environ["PELITA_BENCH_WITHOUT"]) if os.environ.get("PELITA_BENCH_WITHOUT") else None
