"""GET /api/docs: each service's Swagger UI, with its files served by the service itself (no CDN)."""

import re

import pytest

from services.notifications.app import create_app as notifications_app
from services.registration.app import create_app as registration_app
from services.reporting.app import create_app as reporting_app
from tests.integration.conftest import build

ASSETS = re.compile(r'<(?:script src|link href)="([^"]+)"')


@pytest.mark.parametrize("factory", [registration_app, notifications_app, reporting_app])
def test_the_api_docs_page_loads_swagger_ui_from_the_service_itself(factory, new_store, redis_url):
    client = build(factory, new_store("docs"), redis_url).test_client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    assets = ASSETS.findall(page.text)
    assert {"swagger-ui-bundle.js", "swagger-ui.css"} <= {asset.rsplit("/", 1)[-1] for asset in assets}
    for asset in assets:
        assert asset.startswith("/"), f"{asset} comes from another site"
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert response.mimetype in ("text/javascript", "application/javascript", "text/css"), asset
        response.close()
    assert client.get("/api/swagger-ui/../../app.py").status_code == 404
