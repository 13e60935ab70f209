"""Staff pages of the template editor: every message text, a preview with sample data, saving and resetting."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.notifications import labels, queries
from services.notifications.content import checking, editor, messages
from shared.staffauth import staff_page
from shared.states import Channel

bp = Blueprint("templates", __name__, url_prefix="/staf/templat")


@bp.errorhandler(editor.EditorError)
def refused(error: editor.EditorError):
    return render_template("staff/refused.html", error=error), error.status


@bp.get("")
@staff_page
def index():
    """Every purpose × channel × locale, saying which texts staff changed."""
    return render_template("staff/templates.html", overview=editor.overview(), messages=messages, labels=labels)


def _key_or_404(purpose: str, channel: str, locale: str) -> None:
    if not editor.known(purpose, channel, locale):
        abort(404)


@bp.get("/<purpose>/<channel>/<locale>")
@staff_page
def edit(purpose: str, channel: str, locale: str):
    """The editor with the current text and its preview."""
    _key_or_404(purpose, channel, locale)
    source = queries.template_source(purpose, channel, locale)
    values = {"subject": source.subject, "body": source.body}
    result = editor.preview(purpose, channel, locale, source.subject, source.body)
    return _page(purpose, channel, locale, values, result)


@bp.post("/<purpose>/<channel>/<locale>")
@staff_page
def submit(purpose: str, channel: str, locale: str):
    """Preview the submitted text (the default button), or check and save it."""
    _key_or_404(purpose, channel, locale)
    values = {"subject": request.form.get("subject", ""), "body": request.form.get("body", "")}
    if request.form.get("action") == "save":
        result, changed = editor.save(purpose, channel, locale, values["subject"], values["body"], g.staff)
        if not result.errors:
            flash(
                _("Templat tersimpan. %(n)s pesan yang belum terkirim kini memakai teks baru.", n=changed)
                if changed
                else _("Templat tersimpan."),
                "success",
            )
            return redirect(url_for(".edit", purpose=purpose, channel=channel, locale=locale), 303)
    else:
        result = editor.preview(purpose, channel, locale, values["subject"], values["body"])
    return _page(purpose, channel, locale, values, result, previewed=True), 400 if result.errors else 200


@bp.post("/<purpose>/<channel>/<locale>/bawaan")
@staff_page
def reset(purpose: str, channel: str, locale: str):
    """Go back to the text the service ships with."""
    _key_or_404(purpose, channel, locale)
    changed = editor.reset(purpose, channel, locale, g.staff)
    flash(
        _("Templat kembali ke teks bawaan. %(n)s pesan yang belum terkirim ikut diperbarui.", n=changed)
        if changed
        else _("Templat kembali ke teks bawaan."),
        "success",
    )
    return redirect(url_for(".edit", purpose=purpose, channel=channel, locale=locale), 303)


def _page(purpose, channel, locale, values, result, previewed=False):
    row = queries.get_template(purpose, channel, locale)
    sample = editor.sample_context(purpose, channel, locale)
    samples = {name: _sample_value(sample, name) for name in messages.placeholders(purpose)}
    return render_template(
        "staff/template_edit.html",
        purpose=purpose,
        channel=channel,
        locale=locale,
        values=values,
        errors=result.errors,
        preview=result,
        previewed=previewed,
        row=row,
        changed=row is not None
        and not editor.is_default(purpose, channel, locale, messages.Source(row.subject, row.body)),
        follows_sms=channel == Channel.WHATSAPP and row is None,
        placeholders=messages.placeholders(purpose),
        samples=samples,
        filters=checking.FILTERS,
        labels=labels,
    )


def _sample_value(context: dict, name: str) -> str:
    head, _dot, attr = name.partition(".")
    value = context.get(head)
    return str(getattr(value, attr) if attr else value)
