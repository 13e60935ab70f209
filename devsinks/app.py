"""The dev sinks' web page: the mails and text messages the services sent, newest first; the gateway stand-ins."""

import re

from flask import Flask, Response, abort, jsonify, render_template, request

from devsinks.gateways import Receipts, TextBox, make_blueprint
from devsinks.mailbox import Mailbox
from devsinks.whatsapp import as_on_the_phone, text_as_on_the_phone


def create_app(mailbox: Mailbox, texts: TextBox | None = None, receipts: Receipts | None = None) -> Flask:
    app = Flask(__name__)
    texts = texts if texts is not None else TextBox()
    app.register_blueprint(make_blueprint(texts, receipts or Receipts()))

    @app.get("/")
    def index():
        return render_template("index.html", mails=mailbox.mails(), texts=texts.messages())

    @app.get("/pesan/<int:message_id>")
    def text_message(message_id: int):
        """One SMS or WhatsApp message as the participant's phone shows it (a WhatsApp template filled in)."""
        message = texts.get(message_id) or abort(404)
        shown, text = as_on_the_phone(message.template), text_as_on_the_phone(message.text)
        return render_template("message.html", message=message, shown=shown, text=text)

    @app.get("/mail/<int:mail_id>")
    def mail(mail_id: int):
        received = mailbox.get(mail_id) or abort(404)
        return render_template("mail.html", mail=received)

    @app.get("/mail/<int:mail_id>/raw")
    def raw(mail_id: int):
        received = mailbox.get(mail_id) or abort(404)
        return received.raw, 200, {"Content-Type": "message/rfc822"}

    @app.get("/mail/<int:mail_id>/html")
    def html(mail_id: int):
        """The HTML part as the recipient's mail program shows it, with its inline images served from here."""
        received = mailbox.get(mail_id) or abort(404)
        body = received.html()
        if body is None:
            abort(404)
        body = re.sub(r"cid:([^\"'\s>]+)", lambda m: f"/mail/{mail_id}/cid/{m.group(1)}", body)
        # The mail's HTML is someone else's: no scripts, no requests off this page.
        policy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        return Response(body, mimetype="text/html", headers={"Content-Security-Policy": policy})

    @app.get("/mail/<int:mail_id>/cid/<path:content_id>")
    def inline(mail_id: int, content_id: str):
        received = mailbox.get(mail_id) or abort(404)
        part = received.inline_parts().get(content_id) or abort(404)
        return Response(part.get_payload(decode=True), mimetype=part.get_content_type())

    @app.get("/mail/<int:mail_id>/lampiran/<int:index>")
    def attachment(mail_id: int, index: int):
        received = mailbox.get(mail_id) or abort(404)
        part = received.attachment(index) or abort(404)
        # ?buka=1 shows it in the browser (a PDF in chromium's viewer), as a mail program's preview does.
        kind = "inline" if request.args.get("buka") else "attachment"
        disposition = f'{kind}; filename="{part.get_filename() or "lampiran"}"'
        headers = {"Content-Disposition": disposition}
        return Response(part.get_payload(decode=True), mimetype=part.get_content_type(), headers=headers)

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
