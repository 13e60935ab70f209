"""Run the dev sinks: `python -m devsinks` (SMTP on DEVSINKS_SMTP_PORT; page and gateways on DEVSINKS_PORT)."""

import os

from werkzeug.serving import make_server

from devsinks.app import create_app
from devsinks.gateways import Receipts, TextBox
from devsinks.mailbox import Mailbox, start_smtp


def receipts_from_env() -> Receipts:
    """Report delivery to the notifications service of `make run`, signed with its development secrets."""
    service = (
        os.environ.get("NOTIFICATIONS_PUBLIC_URL") or f"http://127.0.0.1:{os.environ.get('NOTIFICATIONS_PORT', '8002')}"
    )
    token = os.environ.get("ZENZIVA_CALLBACK_TOKEN", "dev-zenziva-callback-token")
    return Receipts(
        whatsapp_url=f"{service}/webhooks/whatsapp",
        whatsapp_secret=os.environ.get("WHATSAPP_APP_SECRET", "dev-whatsapp-app-secret"),
        zenziva_url=f"{service}/webhooks/zenziva/{token}",
    )


def main() -> None:
    host = os.environ.get("DEVSINKS_HOST", "127.0.0.1")
    smtp_port = int(os.environ.get("DEVSINKS_SMTP_PORT", "1025"))
    web_port = int(os.environ.get("DEVSINKS_PORT", "8025"))
    mailbox = Mailbox()
    controller = start_smtp(mailbox, host, smtp_port)
    print(
        f"dev sinks: SMTP on {host}:{smtp_port}, page and SMS/WhatsApp gateways on http://{host}:{web_port}/",
        flush=True,
    )
    try:
        app = create_app(mailbox, TextBox(), receipts_from_env())
        make_server(host, web_port, app, threaded=True).serve_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
