"""The dev sinks' web page: the mails and text messages the services sent, newest first; the gateway stand-ins."""

from flask import Flask, abort, jsonify, render_template

from devsinks.gateways import Receipts, TextBox, make_blueprint
from devsinks.mailbox import Mailbox


def create_app(mailbox: Mailbox, texts: TextBox | None = None, receipts: Receipts | None = None) -> Flask:
    app = Flask(__name__)
    texts = texts if texts is not None else TextBox()
    app.register_blueprint(make_blueprint(texts, receipts or Receipts()))

    @app.get("/")
    def index():
        return render_template("index.html", mails=mailbox.mails(), texts=texts.messages())

    @app.get("/mail/<int:mail_id>")
    def mail(mail_id: int):
        received = mailbox.get(mail_id) or abort(404)
        return render_template("mail.html", mail=received)

    @app.get("/mail/<int:mail_id>/raw")
    def raw(mail_id: int):
        received = mailbox.get(mail_id) or abort(404)
        return received.raw, 200, {"Content-Type": "message/rfc822"}

    @app.get("/api/mails")
    def mails_json():
        return jsonify([mail.summary() for mail in mailbox.mails()])

    @app.post("/api/clear")
    def clear():
        mailbox.clear()
        texts.clear()
        return jsonify({"cleared": True})

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok", "mails": len(mailbox.mails()), "messages": len(texts.messages())})

    return app
