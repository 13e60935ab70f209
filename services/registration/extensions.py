"""Unbound extensions of the registration service, bound in create_app."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from shared.api import PelitaApi
from shared.celery import make_celery

db = SQLAlchemy()
migrate = Migrate()
api = PelitaApi()
celery = make_celery("registration")
