"""Invitations leave from the municipality's address: only for submitted organizations, and
only a few a day per organization."""

import pytest
from django.urls import reverse

from registry.models import OrganizationInvitation
from registry.services import review

pytestmark = pytest.mark.django_db


def _invite(client, organization, n):
    return client.post(
        reverse("registry:invite_manager", args=[organization.pk]),
        {"email": f"persona{n}@example.org"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )


def test_a_draft_sends_no_invitation(client, draft, applicant, mailoutbox):
    client.force_login(applicant)
    response = _invite(client, draft, 1)
    assert "once you have sent the application" in response.content.decode()
    assert not mailoutbox
    assert not OrganizationInvitation.objects.exists()


def test_a_submitted_organization_sends_a_few_a_day(client, complete_draft, applicant, mailoutbox, settings):
    review.submit_application(organization=complete_draft, user=applicant)
    mailoutbox.clear()
    client.force_login(applicant)
    for n in range(settings.REGISTRY_INVITATIONS_PER_DAY):
        _invite(client, complete_draft, n)
    assert len(mailoutbox) == settings.REGISTRY_INVITATIONS_PER_DAY
    response = _invite(client, complete_draft, 99)
    assert "the most allowed" in response.content.decode()
    assert len(mailoutbox) == settings.REGISTRY_INVITATIONS_PER_DAY
