"""A scheduled report reaches each recipient once, with both files, though beat fires twice and a builder dies."""

from datetime import timedelta

from services.reporting.models import ReportRun, ReportSchedule
from shared.timeutil import utcnow
from tests.flow.conftest import assert_invariants, wait_for
from tests.flow.test_thin_slice import publish_event, register, stays_true
from tests.flow.test_worker_crash import arm

FAST = {"REPORT_BEAT_SECONDS": "1", "REPORT_STUCK_AFTER_SECONDS": "6", "REPORT_RETRY_SECONDS": "2"}
RECIPIENTS = ["kabid@dispersip.contoh.id", "kasi@dispersip.contoh.id"]


def report_mails(stack, address: str) -> list:
    return [mail for mail in stack.smtp.mails_to(address) if "laporan" in mail.subject.lower()]


def test_the_weekly_report_is_mailed_once_per_recipient_despite_two_beats_and_a_killed_builder(stack):
    event = publish_event(stack)
    register(stack, event["id"], email="peserta@contoh.id")
    with stack.app("reporting").app_context():
        db = stack.app("reporting").extensions["sqlalchemy"]
        db.session.add(ReportSchedule(kind="weekly", recipients=RECIPIENTS, created_at=utcnow() - timedelta(days=30)))
        db.session.commit()
        db.session.remove()

    stack.stop_process("reporting_worker")
    stack.stop_process("reporting_beat")
    stack.start_worker("reporting", PELITA_FAULT_POINTS="report_built_before_commit", **FAST)
    arm(stack, "report_built_before_commit")
    stack.start_beat("reporting", **FAST)
    stack.start_beat("reporting", suffix="-second", **FAST)  # beat fires the schedule twice

    wait_for(lambda: "SIGKILL" in stack.log("reporting-worker"), timeout=60, message="the builder to die mid-build")
    for address in RECIPIENTS:
        wait_for(lambda address=address: report_mails(stack, address), timeout=120, message=f"the report to {address}")
    assert stays_true(lambda: all(len(report_mails(stack, a)) == 1 for a in RECIPIENTS), 8)

    for address in RECIPIENTS:
        attachments = {a["filename"].rsplit(".", 1)[-1] for a in report_mails(stack, address)[0].attachments()}
        assert attachments == {"xlsx", "pdf"}, attachments
    assert stack.count("reporting", ReportRun) == 1
    assert stack.count("reporting", ReportRun, ReportRun.status == "sent") == 1
    assert_invariants(stack)
