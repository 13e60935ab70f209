"""Run the dev sinks: `python -m devsinks` (SMTP on DEVSINKS_SMTP_PORT, the page on DEVSINKS_PORT)."""

import os

from werkzeug.serving import make_server

from devsinks.app import create_app
from devsinks.mailbox import Mailbox, start_smtp


def main() -> None:
    host = os.environ.get("DEVSINKS_HOST", "127.0.0.1")
    smtp_port = int(os.environ.get("DEVSINKS_SMTP_PORT", "1025"))
    web_port = int(os.environ.get("DEVSINKS_PORT", "8025"))
    mailbox = Mailbox()
    controller = start_smtp(mailbox, host, smtp_port)
    print(f"dev sinks: SMTP on {host}:{smtp_port}, page on http://{host}:{web_port}/", flush=True)
    try:
        make_server(host, web_port, create_app(mailbox), threaded=True).serve_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
