"""Blueprints of the registration service."""

from flask import Flask

from services.registration.api import (
    accounts,
    apikeys,
    audit,
    auth,
    certificates,
    events,
    health,
    metrics,
    mydata,
    public,
    public_evaluation,  # noqa: F401 (its routes join the public blueprint)
    public_group,  # noqa: F401 (its routes join the public blueprint)
    registrations,
    requests,
    staff,
    staff_certificates,  # noqa: F401 (its routes join the staff blueprint)
    staff_door,  # noqa: F401 (its routes join the staff blueprint)
    staff_doorkit,  # noqa: F401 (its routes join the staff blueprint)
    staff_evaluation,  # noqa: F401 (its routes join the staff blueprint)
)
from services.registration.extensions import api
from services.registration.ratelimit import form_rate_limit, link_rate_limit, my_data_rate_limit
from shared.web import csrf


def register_blueprints(app: Flask) -> None:
    for blueprint in (auth.bp, events.bp, registrations.bp, apikeys.bp, certificates.bp):
        csrf.exempt(blueprint)  # bearer-token JSON API: no cookies, so no CSRF
        api.register_blueprint(blueprint)
    app.register_blueprint(health.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(mydata.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(requests.bp)
    form_rate_limit.init_app(app)
    link_rate_limit.init_app(app)
    my_data_rate_limit.init_app(app)
