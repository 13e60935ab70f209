"""The dev sinks speak each gateway's API, keep what they get, show it, and report delivery back, signed."""

import threading
from datetime import timedelta

import pytest
import requests
from werkzeug.serving import make_server

from devsinks.app import create_app as sinks_app
from devsinks.gateways import Receipts, TextBox
from devsinks.mailbox import Mailbox
from services.notifications.app import create_app
from services.notifications.extensions import db
from shared.timeutil import utcnow
from tests.conftest import wait_for
from tests.integration.conftest import build
from tests.integration.notifications.conftest import publish_event, register, rows, run_beat


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def live(new_store, redis_url, smtp_server):
    """The notifications app and the dev sinks, each on a real HTTP port, wired to each other as in `make run`."""
    texts, receipts = TextBox(), Receipts(whatsapp_secret="dev-whatsapp-app-secret", delay=0.2)
    sinks_server, sinks_url = serve(sinks_app(Mailbox(), texts, receipts))
    app = build(
        create_app,
        new_store("notifications"),
        redis_url,
        SMTP_HOST=smtp_server.host,
        SMTP_PORT=smtp_server.port,
        ENQUEUE_AFTER_COMMIT=False,
        QUIET_HOURS="",
        **{f"{name}_BASE_URL": sinks_url for name in ("ZENZIVA", "TWILIO", "WHATSAPP")},
    )
    app_server, app_url = serve(app)
    app.config["PUBLIC_BASE_URL"] = app_url
    receipts.whatsapp_url = f"{app_url}/webhooks/whatsapp"
    receipts.zenziva_url = f"{app_url}/webhooks/zenziva/dev-zenziva-callback-token"
    yield app, texts, sinks_url
    app_server.shutdown()
    sinks_server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("channel", "providers", "gateway", "expected_to"),
    [
        ("sms", ["zenziva"], "zenziva", "081234567890"),
        ("sms", ["twilio"], "twilio", "+6281234567890"),
        ("whatsapp", [], "whatsapp_cloud", "6281234567890"),
    ],
)
def test_a_message_reaches_the_sink_and_its_receipt_marks_it_delivered(live, channel, providers, gateway, expected_to):
    app, texts, sinks_url = live
    app.config["SMS_PROVIDERS"] = providers or ["zenziva"]
    event = publish_event(app, utcnow() + timedelta(days=7), reminder_offsets_minutes=[])
    register(app, event, preferred_channel=channel, phone="+6281234567890", full_name="Siti Aminah")
    assert run_beat(app) == ["sent"]
    [message] = texts.messages()
    assert (message.gateway, message.to) == (gateway, expected_to)
    assert "Siti Aminah" in message.text
    wait_for(lambda: rows(app)[0].status == "delivered", timeout=10, message="the signed receipt")
    # the page and the JSON list the text message beside the mails
    assert requests.get(f"{sinks_url}/api/messages", timeout=5).json()[0]["to"] == expected_to
    assert expected_to in requests.get(f"{sinks_url}/", timeout=5).text


def test_the_sinks_refuse_a_request_without_credentials(live):
    _, texts, sinks_url = live
    zenziva = requests.post(f"{sinks_url}/reguler/api/sendsms/", data={"to": "0812", "message": "x"}, timeout=5)
    assert zenziva.json()["status"] == "0"
    twilio = requests.post(f"{sinks_url}/2010-04-01/Accounts/AC1/Messages.json", data={"To": "+62812"}, timeout=5)
    assert twilio.status_code == 401
    assert requests.post(f"{sinks_url}/v21.0/1/messages", json={}, timeout=5).status_code == 401
    assert texts.messages() == []


def test_the_whatsapp_stand_in_shows_the_templates_numbered_parameters_and_button(live):
    app, _, sinks_url = live
    event = publish_event(app, utcnow() + timedelta(days=7), reminder_offsets_minutes=[])
    cancel = "http://127.0.0.1:8001/k/B7QW2MXK4N"
    register(
        app, event, preferred_channel="whatsapp", full_name="Siti Aminah", checkin_code="KX7P2M9Q", cancel_url=cancel
    )
    assert run_beat(app) == ["sent"]
    [message] = requests.get(f"{sinks_url}/api/messages", timeout=5).json()
    template = message["template"]
    assert (template["name"], template["language"]) == ("pelita_confirmation", "id")
    assert template["parameters"][0] == "Siti Aminah" and template["parameters"][-1] == "KX7P2M9Q"
    assert template["buttons"] == [{"index": "0", "sub_type": "url", "text": "B7QW2MXK4N"}]
    page = requests.get(f"{sinks_url}/", timeout=5).text
    assert "pelita_confirmation" in page and "{{5}}</code> KX7P2M9Q" in page and "<code>B7QW2MXK4N</code>" in page
