"""Mail goes over a connection kept open between mails, and keeps going when the server drops it."""

import pytest

from devsinks.mailbox import Mailbox, start_smtp
from scripts.redis_local import free_port
from services.notifications.sending.clients.email import Email, SmtpEmailClient, TransientSendError


class CountingMailbox(Mailbox):
    """The dev sinks' mailbox, also counting the SMTP sessions clients opened (one EHLO each)."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses


def mail(n: int) -> Email:
    return Email(f"peserta{n}@contoh.id", f"Surat {n}", "Isi surat.", reference=f"ref-{n}")


class Server:
    """A counting SMTP server; restart() brings it back on the same port, empty, as after a server restart."""

    def __init__(self) -> None:
        self.port = free_port()
        self.start()

    def start(self) -> None:
        self.mailbox = CountingMailbox()
        self.controller = start_smtp(self.mailbox, "127.0.0.1", self.port)

    def restart(self) -> None:
        self.controller.stop()
        self.start()


@pytest.fixture
def server():
    running = Server()
    yield running
    running.controller.stop()


def test_mails_in_a_row_share_one_connection(server):
    client = SmtpEmailClient("127.0.0.1", server.port, "pelita@contoh.id")
    ids = [client.send(mail(n)) for n in range(3)]
    assert ids == [f"<ref-{n}@contoh.id>" for n in range(3)]
    assert sorted(m.rcpt_tos[0] for m in server.mailbox.mails()) == [f"peserta{n}@contoh.id" for n in range(3)]
    assert server.mailbox.sessions == 1


def test_a_mail_after_the_server_dropped_the_connection_goes_on_a_new_one(server):
    client = SmtpEmailClient("127.0.0.1", server.port, "pelita@contoh.id")
    client.send(mail(1))
    server.restart()  # the kept connection is dead now
    client.send(mail(2))
    assert [m.rcpt_tos for m in server.mailbox.mails()] == [["peserta2@contoh.id"]]


def test_a_server_that_is_down_fails_the_mail_for_a_retry_and_the_next_mail_goes_when_it_is_back(server):
    client = SmtpEmailClient("127.0.0.1", server.port, "pelita@contoh.id", timeout=2)
    client.send(mail(1))
    server.controller.stop()
    with pytest.raises(TransientSendError):
        client.send(mail(2))
    server.start()
    client.send(mail(3))
    assert [m.rcpt_tos for m in server.mailbox.mails()] == [["peserta3@contoh.id"]]
