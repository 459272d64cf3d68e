"""The notification outbox against real servers: a local SMTP server (aiosmtpd) that refuses or
answers 4xx/5xx before it accepts, and local HTTP servers speaking the WhatsApp Business Cloud
API and an SMS gateway's (Twilio's) Messages API with their documented errors.

Time is driven by passing `now` (the next attempt's time), never by waiting.
"""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from registry import notifications
from registry.models import MessagingConsent, MunicipalStaffGroup, Notification, home_municipality
from registry.notifications import ApplicantEvent
from registry.services import review
from registry.timeline import timeline_for
from tests.factories import OrganizationFactory, UserFactory

from . import test_review_support as support

pytestmark = pytest.mark.django_db

applicant, application, reviewer = support.applicant, support.application, support.reviewer

State = Notification.State


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """aiosmtpd handler: answers 451 to the first `busy` messages, 550 to every recipient when
    `refuse` is set, and keeps what it accepted."""

    def __init__(self):
        self.messages = []
        self.busy = 0
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.busy:
            self.busy -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port):
        self.port = port
        self.mailbox = Mailbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()

    def received_by(self, address):
        return [m for m in self.mailbox.messages if address in m.rcpt_tos]


@pytest.fixture
def smtp(settings):
    """Django's SMTP backend pointed at a port where a real server starts when the test says so
    (until then the connection is refused)."""
    server = SmtpServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


class Provider:
    """A local HTTP server answering POSTs from a script of (status, JSON body) and recording
    each request (path, headers, body)."""

    def __init__(self):
        self.script = []
        self.requests = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                provider.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)}
                )
                status, body = provider.script.pop(0) if provider.script else (500, {})
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider():
    server = Provider()
    yield server
    server.close()


@pytest.fixture
def whatsapp(settings, provider):
    settings.REGISTRY_WHATSAPP_API_URL = f"{provider.url}/v21.0"
    settings.REGISTRY_WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
    settings.REGISTRY_WHATSAPP_TOKEN = "test-token"
    settings.REGISTRY_WHATSAPP_TEMPLATE = "aviso_registro"
    return provider


# The Cloud API's documented answers (Meta's "WhatsApp error codes" and "Send messages").
WA_SENT = (
    200,
    {
        "messaging_product": "whatsapp",
        "contacts": [{"input": "51987654321", "wa_id": "51987654321"}],
        "messages": [{"id": "wamid.HBgLNTE5ODc2NTQzMjEVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}],
    },
)


def wa_error(status, code, message, subcode=None):
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEfGhIjK"}
    if subcode:
        error["error_subcode"] = subcode
    return (status, {"error": error})


WA_RATE_LIMIT = wa_error(429, 130429, "(#130429) Rate limit hit", 2494055)


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", email="owner@example.org")


@pytest.fixture
def organization(owner):
    return OrganizationFactory(owner=owner, name="Arepera La Chinita")


def decide(organization, capture, event=ApplicantEvent.SUBMITTED):
    """A decision's transaction that tells the applicant, run to its commit."""
    with capture(execute=True), transaction.atomic():
        return notifications.applicant(organization, event)


def states(organization):
    return [entry.action for entry in timeline_for(organization) if entry.notification is not None]


def test_a_notice_is_retried_until_the_mail_server_answers_and_arrives_once(
    smtp, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as after_commit, transaction.atomic():
        (row,) = notifications.applicant(organization, ApplicantEvent.SUBMITTED)
        assert states(organization) == ["notification.pending"]

    # The commit's task finds no server listening: the notice waits a minute.
    for callback in after_commit:
        callback()
    row.refresh_from_db()
    first_try = row.next_attempt_at - timedelta(minutes=1)
    assert (row.state, row.attempts) == (State.RETRYING, 1)
    assert abs(first_try - timezone.now()) < timedelta(seconds=30)
    assert "Connection" in row.last_error
    assert states(organization) == ["notification.retrying"]
    applicant_view = timeline_for(organization)[-1]
    assert applicant_view.what == "Sending the notice by e-mail failed; retrying"

    # The server is up but busy (451): five more minutes.
    smtp.start()
    smtp.mailbox.busy = 1
    assert notifications.deliver_due(now=row.next_attempt_at - timedelta(seconds=1))["retrying"] == 0
    assert notifications.deliver_due(now=row.next_attempt_at) == {
        "sent": 0,
        "retrying": 1,
        "failed": 0,
        "interrupted": 0,
    }
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.RETRYING, 2)
    assert row.last_error.startswith("SMTP 451")
    assert smtp.mailbox.messages == []

    # Then it accepts: delivered, once, and never again.
    when = row.next_attempt_at
    assert notifications.deliver_due(now=when)["sent"] == 1
    assert notifications.deliver_due(now=when + timedelta(days=2))["sent"] == 0
    assert notifications.deliver(row.pk, now=when + timedelta(days=3)) is None
    row.refresh_from_db()
    assert (row.state, row.attempts, row.sent_at) == (State.SENT, 3, when)
    (message,) = smtp.received_by("owner@example.org")
    assert row.provider_message_id in message.content.decode()
    assert "Arepera La Chinita" in message.content.decode()
    assert states(organization) == ["notification.sent"]
    entry = timeline_for(organization)[-1]
    assert (entry.what, entry.when) == ("Notice sent by e-mail", when)


def test_an_unreachable_mail_server_is_tried_with_back_off_then_given_up(
    smtp, organization, django_capture_on_commit_callbacks, settings
):
    (row,) = decide(organization, django_capture_on_commit_callbacks)
    waits = []
    for _attempt in range(10):
        row.refresh_from_db()
        if row.state != State.RETRYING:
            break
        before = row.next_attempt_at
        notifications.deliver_due(now=before)
        row.refresh_from_db()
        if row.state == State.RETRYING:
            waits.append(int((row.next_attempt_at - before).total_seconds() // 60))
    assert waits == settings.REGISTRY_NOTIFICATION_RETRY_MINUTES[1:] == [5, 30, 120, 720]
    assert (row.state, row.attempts) == (State.FAILED, 6)
    assert states(organization) == ["notification.failed"]
    assert timeline_for(organization)[-1].what == "The notice by e-mail could not be delivered"
    smtp.start()
    assert notifications.deliver_due(now=timezone.now() + timedelta(days=30))["sent"] == 0
    assert smtp.mailbox.messages == []


def test_a_refused_mailbox_fails_at_once(smtp, organization, django_capture_on_commit_callbacks):
    smtp.start()
    smtp.mailbox.refuse = True
    (row,) = decide(organization, django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.FAILED, 1)
    assert row.last_error.startswith("SMTP 550")
    assert notifications.deliver_due(now=timezone.now() + timedelta(days=1))["sent"] == 0


def test_the_notice_is_written_with_the_decision_and_not_without_it(
    application, applicant, reviewer, django_capture_on_commit_callbacks
):
    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        review.submit_application(organization=application, user=applicant)
        assert {row.recipient for row in application.notifications.all()} == {
            "maria@example.org",
            "reviewer@example.org",
        }
        raise Undone
    assert not Notification.objects.exists()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        review.submit_application(organization=application, user=applicant)
    rows = application.notifications.order_by("audience")
    assert [(r.audience, r.recipient, r.state, r.attempts) for r in rows] == [
        ("applicant", "maria@example.org", State.SENT, 1),
        ("staff", "reviewer@example.org", State.SENT, 1),
    ]
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "maria@example.org",
        "reviewer@example.org",
    ]


def test_a_claimed_row_is_not_claimed_again(organization):
    with transaction.atomic():
        (row,) = notifications.applicant(organization, ApplicantEvent.SUBMITTED)
    now = timezone.now()
    assert notifications.claim(row.pk, now=now)
    assert not notifications.claim(row.pk, now=now)
    assert notifications.deliver(row.pk, now=now) is None
    # A worker killed while sending leaves it "sending": failed, not retried, for staff to resend.
    counts = notifications.deliver_due(now=now + notifications.STALE_SENDING + timedelta(seconds=1))
    row.refresh_from_db()
    assert counts["interrupted"] == 1 and row.state == State.FAILED and row.attempts == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    # Tried on SQLite: the in-memory test database shares one cache between the threads'
    # connections and answers a second writer "database table is locked" at once (the busy
    # timeout does not apply to shared-cache locks), so the deliverers error instead of racing.
    reason="threads writing at once fail on the in-memory SQLite test database; set DATABASE_URL "
    "to PostgreSQL to run the race",
)
def test_two_deliverers_on_the_same_due_row_send_it_once(smtp):
    smtp.start()
    organization = OrganizationFactory(owner=UserFactory(username="race", email="race@example.org"))
    # A due row nobody has taken yet (no commit callback delivers it first).
    row = Notification.objects.create(
        organization=organization, audience="applicant", event="submitted", recipient="race@example.org"
    )
    barrier = threading.Barrier(4)
    results = []

    def deliverer(call):
        try:
            barrier.wait(timeout=10)
            results.append(call())
        finally:
            connection.close()

    now = timezone.now()
    calls = [
        lambda: notifications.deliver(row.pk, now=now),
        lambda: notifications.deliver(row.pk, now=now),
        lambda: notifications.deliver_due(now=now)["sent"],
        lambda: notifications.deliver_due(now=now)["sent"],
    ]
    threads = [threading.Thread(target=deliverer, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.SENT, 1)
    assert len(smtp.received_by("race@example.org")) == 1
    # Exactly one of the four sent it; the others found it taken.
    assert sorted(map(str, results)) in (["0", "0", "None", "sent"], ["0", "1", "None", "None"])


def opted_in(owner, channel="whatsapp"):
    return MessagingConsent.objects.create(user=owner, channel=channel, phone="987 654 321")


def test_whatsapp_rate_limit_is_retried_then_sent_as_the_documented_template(
    whatsapp, owner, organization, django_capture_on_commit_callbacks
):
    opted_in(owner)
    whatsapp.script = [WA_RATE_LIMIT, WA_SENT]
    rows = decide(organization, django_capture_on_commit_callbacks)
    assert [r.channel for r in rows] == ["email", "whatsapp"]
    row = Notification.objects.get(channel="whatsapp")
    assert (row.state, row.recipient, row.attempts) == (State.RETRYING, "+51987654321", 1)
    assert row.last_error.startswith("WhatsApp 130429")

    notifications.deliver_due(now=row.next_attempt_at)
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.SENT, 2)
    assert row.provider_message_id == WA_SENT[1]["messages"][0]["id"]
    assert len(whatsapp.requests) == 2
    request = whatsapp.requests[-1]
    assert request["path"] == "/v21.0/106540352242922/messages"
    assert request["headers"]["Authorization"] == "Bearer test-token"
    body = json.loads(request["body"])
    assert body["messaging_product"] == "whatsapp" and body["to"] == "51987654321"
    assert body["type"] == "template"
    assert body["template"]["name"] == "aviso_registro" and body["template"]["language"] == {"code": "es"}
    (component,) = body["template"]["components"]
    texts = [p["text"] for p in component["parameters"]]
    assert "Arepera La Chinita" in texts[0] and texts[1].endswith("/mis-registros/")
    assert notifications.deliver_due(now=row.next_attempt_at + timedelta(days=1))["sent"] == 0
    assert len(whatsapp.requests) == 2
    assert "notification.sent" in states(organization)


@pytest.mark.parametrize(
    "answer",
    [
        wa_error(400, 131026, "(#131026) Message undeliverable"),
        wa_error(401, 190, "Error validating access token: Session has expired", 463),
    ],
    ids=["undeliverable", "expired-token"],
)
def test_a_permanent_whatsapp_error_fails_without_more_attempts(
    whatsapp, owner, organization, answer, django_capture_on_commit_callbacks
):
    opted_in(owner)
    whatsapp.script = [answer, WA_SENT]
    decide(organization, django_capture_on_commit_callbacks)
    row = Notification.objects.get(channel="whatsapp")
    assert (row.state, row.attempts) == (State.FAILED, 1)
    assert row.last_error.startswith(f"WhatsApp {answer[1]['error']['code']}:")
    notifications.deliver_due(now=timezone.now() + timedelta(days=1))
    assert len(whatsapp.requests) == 1
    entry = next(e for e in timeline_for(organization) if e.action == "notification.failed")
    assert entry.what == "The notice by WhatsApp could not be delivered"


def test_sms_through_the_gateway_after_its_rate_limit(
    settings, provider, owner, organization, django_capture_on_commit_callbacks
):
    settings.REGISTRY_SMS_API_URL = provider.url
    settings.REGISTRY_SMS_ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
    settings.REGISTRY_SMS_AUTH_TOKEN = "sms-token"
    settings.REGISTRY_SMS_FROM = "+15005550006"
    opted_in(owner, channel="sms")
    provider.script = [
        (429, {"code": 20429, "message": "Too Many Requests", "more_info": "", "status": 429}),
        (201, {"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"}),
    ]
    decide(organization, django_capture_on_commit_callbacks)
    row = Notification.objects.get(channel="sms")
    assert row.state == State.RETRYING and row.last_error.startswith("SMS 20429")
    notifications.deliver_due(now=row.next_attempt_at)
    row.refresh_from_db()
    assert row.state == State.SENT and row.provider_message_id.startswith("SM")
    request = provider.requests[-1]
    assert request["path"] == f"/2010-04-01/Accounts/{settings.REGISTRY_SMS_ACCOUNT_SID}/Messages.json"
    assert b"To=%2B51987654321" in request["body"] and b"From=%2B15005550006" in request["body"]


def test_no_message_without_consent_and_none_after_it_is_withdrawn(
    client, whatsapp, owner, organization, django_capture_on_commit_callbacks
):
    whatsapp.script = [WA_RATE_LIMIT, WA_SENT]
    decide(organization, django_capture_on_commit_callbacks)
    assert list(Notification.objects.values_list("channel", flat=True)) == ["email"]

    client.force_login(owner)
    page = client.get(reverse("registry:my_data")).content.decode()
    assert f'action="{reverse("registry:messaging_consent")}"' in page
    refused = client.post(
        reverse("registry:messaging_consent"), {"channel": "whatsapp", "phone": "01 555 1234"}
    )
    assert refused.status_code == 400 and not MessagingConsent.objects.exists()
    client.post(
        reverse("registry:messaging_consent"), {"channel": "whatsapp", "phone": "987654321", "agree": "on"}
    )
    consent = MessagingConsent.objects.get()
    assert (consent.user, consent.phone, consent.withdrawn_at) == (owner, "+51987654321", None)

    decide(organization, django_capture_on_commit_callbacks)
    waiting = Notification.objects.get(channel="whatsapp")
    assert waiting.state == State.RETRYING  # the rate limit
    client.post(reverse("registry:messaging_consent_withdraw"))
    consent.refresh_from_db()
    waiting.refresh_from_db()
    assert consent.withdrawn_at is not None and waiting.state == State.CANCELLED
    notifications.deliver_due(now=timezone.now() + timedelta(days=1))
    assert len(whatsapp.requests) == 1

    decide(organization, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(channel="whatsapp").count() == 1


def test_staff_of_the_municipality_resend_and_an_outsider_cannot(
    client, carmen, application, applicant, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review.submit_application(organization=application, user=applicant)
    row = application.notifications.get(audience="applicant")
    assert row.state == State.SENT and application.municipality == home_municipality()
    url = reverse("registry_notifications:resend", args=[row.pk])

    outsider = UserFactory(username="revisor-carmen")
    outsider.groups.add(MunicipalStaffGroup.objects.get(municipality=carmen, role="reviewers").group)
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    assert Notification.objects.count() == 2

    client.force_login(reviewer)
    page = client.get(reverse("registry_review:detail", args=[application.pk])).content.decode()
    assert f'action="{url}"' in page and "maria@example.org" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    again = Notification.objects.get(resend_of=row)
    row.refresh_from_db()
    assert (again.requested_by, again.recipient, again.state) == (reviewer, "maria@example.org", State.SENT)
    assert row.state == State.SENT and row.attempts == 1
    assert [m.to for m in mail.outbox] == [["maria@example.org"]]
