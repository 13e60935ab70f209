"""Run the dev sinks: `python -m devsinks` (SMTP on DEVSINKS_SMTP_PORT; page and gateways on DEVSINKS_PORT)."""

import os

from gunicorn.app.base import BaseApplication

from devsinks.app import create_app
from devsinks.gateways import Receipts, TextBox
from devsinks.mailbox import Mailbox, start_smtp


def receipts_from_env() -> Receipts:
    """Report delivery to the notifications service of `make run`, signed with its development secrets.

    DEVSINKS_RECEIPTS=0 sends none (a benchmark whose service has no web to take them).
    """
    service = (
        os.environ.get("NOTIFICATIONS_PUBLIC_URL") or f"http://127.0.0.1:{os.environ.get('NOTIFICATIONS_PORT', '8002')}"
    )
    token = os.environ.get("ZENZIVA_CALLBACK_TOKEN", "dev-zenziva-callback-token")
    return Receipts(
        whatsapp_url=f"{service}/webhooks/whatsapp",
        whatsapp_secret=os.environ.get("WHATSAPP_APP_SECRET", "dev-whatsapp-app-secret"),
        zenziva_url=f"{service}/webhooks/zenziva/{token}",
        enabled=os.environ.get("DEVSINKS_RECEIPTS", "1") != "0",
    )


class Sinks(BaseApplication):
    """The sinks in one gunicorn worker process (threads), so the page sees every mail and text they kept.

    Like the gateways' own front servers, it keeps HTTP/1.1 connections open between requests; Werkzeug's
    development server closes each one (a new connection and thread per message, and a 10 ms wait after each).
    """

    def __init__(self, host: str, web_port: int, smtp_port: int) -> None:
        self.host, self.web_port, self.smtp_port = host, web_port, smtp_port
        super().__init__()

    def load_config(self) -> None:
        settings = {
            "bind": f"{self.host}:{self.web_port}",
            "workers": 1,  # the mails and texts live in this one process's memory
            "worker_class": "gthread",
            "threads": 8,
            "keepalive": 75,
            "loglevel": "warning",
            "worker_exit": lambda server, worker: getattr(worker, "smtp", None) and worker.smtp.stop(),
            "post_worker_init": self._start_smtp,
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    def _start_smtp(self, worker) -> None:
        worker.smtp = start_smtp(self.mailbox, self.host, self.smtp_port)
        print(
            f"dev sinks: SMTP on {self.host}:{self.smtp_port}, page and SMS/WhatsApp gateways on "
            f"http://{self.host}:{self.web_port}/",
            flush=True,
        )

    def load(self):
        self.mailbox = Mailbox()
        return create_app(self.mailbox, TextBox(), receipts_from_env())


def main() -> None:
    host = os.environ.get("DEVSINKS_HOST", "127.0.0.1")
    smtp_port = int(os.environ.get("DEVSINKS_SMTP_PORT", "1025"))
    web_port = int(os.environ.get("DEVSINKS_PORT", "8025"))
    Sinks(host, web_port, smtp_port).run()


if __name__ == "__main__":
    main()
