"""Unbound extensions of the registration service, bound in create_app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from shared.api import PelitaApi
from shared.celery import make_celery

db = SQLAlchemy()
migrate = Migrate()
api = PelitaApi()
celery = make_celery("registration")
#: Limits only where declared (the public form's submit); Redis storage, failing open when Redis is down.
limiter = Limiter(get_remote_address, default_limits=[], swallow_errors=True)
