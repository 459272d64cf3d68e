"""The outbox, the SMS/WhatsApp consents and the drafted paperwork under Ley 29733: in the
holder's export, gone or redacted with their account, redacted by retention."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from registry import notifications
from registry.models import MessagingConsent, Notification, PaperworkDraft
from registry.services import privacy
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

State = Notification.State


def notice(organization, user, *, state=State.SENT, channel="email", recipient=None, days_ago=0):
    return Notification.objects.create(
        organization=organization,
        audience=Notification.Audience.APPLICANT,
        event="submitted",
        channel=channel,
        recipient=recipient or user.email,
        user=user,
        state=state,
        last_error="550 mailbox of " + (recipient or user.email) if state == State.FAILED else "",
        created_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.fixture
def holder():
    user = UserFactory(username="rosa", email="rosa@example.org")
    organization = OrganizationFactory(owner=user, name="Comedor Rosa", status="submitted")
    MessagingConsent.objects.create(
        user=user, channel="sms", phone="987 654 321", withdrawn_at=timezone.now() - timedelta(days=3)
    )
    MessagingConsent.objects.create(user=user, channel="whatsapp", phone="912 345 678")
    notice(organization, user)
    notice(organization, user, state=State.PENDING)
    notice(organization, user, state=State.RETRYING, channel="whatsapp", recipient="+51912345678")
    PaperworkDraft.objects.create(organization=organization, kind="statute", title="Estatuto")
    return user


@pytest.fixture
def outsider():
    user = UserFactory(username="otra", email="otra@example.org")
    organization = OrganizationFactory(owner=user, name="Taller Otra", status="submitted")
    MessagingConsent.objects.create(user=user, channel="sms", phone="955 111 222")
    notice(organization, user, state=State.PENDING)
    PaperworkDraft.objects.create(organization=organization, kind="member_list", title="Padrón")
    return user


def test_the_download_lists_the_holders_consents_notices_and_drafts_only(client, holder, outsider):
    client.force_login(holder)
    data = json.loads(client.get(reverse("registry:download_my_data")).content)
    consents = data["messaging_consents"]
    assert sorted((c["channel"], c["phone"], c["withdrawn_at"] is None) for c in consents) == [
        ("sms", "+51987654321", False),
        ("whatsapp", "+51912345678", True),
    ]
    assert sorted(n["state"] for n in data["notifications"]) == ["pending", "retrying", "sent"]
    assert {n["recipient"] for n in data["notifications"]} == {"rosa@example.org", "+51912345678"}
    (organization,) = data["organizations"]
    assert [(d["kind"], d["title"]) for d in organization["paperwork_drafts"]] == [("statute", "Estatuto")]
    text = json.dumps(data)
    for theirs in ("otra@example.org", "+51955111222", "Padrón", "Taller Otra"):
        assert theirs not in text


def test_the_office_access_request_carries_the_same_stores(holder, outsider):
    data = privacy.access_request(subject=holder)
    assert len(data["messaging_consents"]) == 2
    assert len(data["notifications"]) == 3
    assert "+51955111222" not in json.dumps(data)


def test_deleting_the_account_redacts_and_cancels_and_nothing_is_sent_after(client, holder, outsider):
    organization_id = Notification.objects.filter(user=holder).first().organization_id
    client.force_login(holder)
    client.post(reverse("registry:delete_my_account"), {"confirm": "on"})

    rows = Notification.objects.filter(organization_id=organization_id)  # the registration stays
    assert rows.count() == 3
    assert set(rows.values_list("recipient", flat=True)) == {""}
    assert sorted(rows.values_list("state", flat=True)) == ["cancelled", "cancelled", "sent"]
    assert not MessagingConsent.objects.filter(phone__in=["+51987654321", "+51912345678"]).exists()

    counts = notifications.deliver_due(now=timezone.now() + timedelta(days=1))
    assert counts["sent"] == 1  # the outsider's notice only
    assert [m.to for m in mail.outbox] == [["otra@example.org"]]
    assert MessagingConsent.objects.filter(user=outsider).exists()

    staff = UserFactory(username="revisora", is_superuser=True)
    with pytest.raises(ValidationError):
        notifications.resend(rows.get(state=State.SENT), user=staff)


def test_retention_redacts_only_old_notices_that_are_done_with(settings, capsys):
    user = UserFactory(username="ana")
    organization = OrganizationFactory(owner=user, status="submitted")
    days = settings.REGISTRY_NOTIFICATION_RETENTION_DAYS
    old_sent = notice(organization, user, days_ago=days + 1)
    old_failed = notice(organization, user, state=State.FAILED, days_ago=days + 5)
    old_waiting = notice(organization, user, state=State.RETRYING, days_ago=days + 5)
    recent = notice(organization, user, days_ago=days - 1)

    call_command("purge_documents", "--dry-run")
    assert "Notices would be redacted (recipient and error removed): 2." in capsys.readouterr().out
    assert Notification.objects.exclude(recipient="").count() == 4

    call_command("purge_documents")
    assert "Notices redacted (recipient and error removed): 2." in capsys.readouterr().out
    for row in (old_sent, old_failed):
        row.refresh_from_db()
        assert (row.recipient, row.last_error) == ("", "")
        assert row.state in (State.SENT, State.FAILED)  # the record that it was sent stays
    for row in (old_waiting, recent):
        row.refresh_from_db()
        assert row.recipient == user.email
    call_command("purge_documents")
    assert "redacted (recipient and error removed): 0." in capsys.readouterr().out
