"""The staff admin: the queue with its filters, the review screen and its actions, the history."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.models import ModelLogEntry

from registry.models import ApplicationStatus, DocumentType, SupportingDocument
from registry.services import review

from . import test_review_support as support

applicant, application, reviewer, registrar = (
    support.applicant,
    support.application,
    support.reviewer,
    support.registrar,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(application, applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review.submit_application(organization=application, user=applicant)
    application.refresh_from_db()
    return application


def test_the_queue_filters_by_status_and_searches(client, in_review, reviewer):
    from tests.factories import PublishedOrganizationFactory

    PublishedOrganizationFactory(name="Barbería Caracas")
    client.force_login(reviewer)
    url = reverse("wagtailsnippets_registry_organization:list")
    response = client.get(url, {"status": "submitted"}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert in_review.name in html and "Barbería Caracas" not in html
    assert reverse("registry_review:detail", args=[in_review.pk]) in html
    response = client.get(url, {"q": "Barbería"})
    assert "Barbería Caracas" in response.content.decode()
    assert in_review.name not in response.content.decode()
    response = client.get(url, {"district": in_review.district_id, "sector": in_review.sector_id})
    assert in_review.name in response.content.decode()


def test_the_review_screen_shows_people_documents_and_actions(client, in_review, reviewer):
    document = SupportingDocument(
        organization=in_review,
        document_type=DocumentType.IDENTITY,
        original_name="cpp.pdf",
        content_type="application/pdf",
        size=9,
    )
    document.file.save("cpp.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    client.force_login(reviewer)
    html = client.get(
        reverse("registry_review:detail", args=[in_review.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "María José Pérez Rondón" in html and "CPP00123456" in html
    download = reverse("registry:document_download", args=[in_review.pk, document.pk])
    assert download in html
    assert client.get(download).status_code == 200
    assert 'data-action="approve"' in html and 'data-action="observe"' in html
    assert 'data-action="reject"' not in html  # reviewers do not reject


def test_applicants_and_anonymous_users_cannot_open_the_review(client, in_review, applicant):
    url = reverse("registry_review:detail", args=[in_review.pk])
    assert client.get(url).status_code == 302
    client.force_login(applicant)
    assert client.get(url).status_code in (302, 403)


def test_observe_from_the_screen_then_a_stale_approval_gets_a_clear_message(client, in_review, reviewer):
    client.force_login(reviewer)
    task_state_id = in_review.current_workflow_task_state.pk
    response = client.post(
        reverse("registry_review:observe", args=[in_review.pk]),
        {
            "task_state_id": task_state_id,
            "reasons": ["documento-faltante"],
            "message": "Falta la ficha RUC.",
            "deadline": "2099-12-31",
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    in_review.refresh_from_db()
    assert in_review.status == ApplicationStatus.OBSERVED
    assert "Observations sent" in response.content.decode()

    response = client.post(
        reverse("registry_review:approve", args=[in_review.pk]),
        {"task_state_id": task_state_id},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "already decided" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == ApplicationStatus.OBSERVED


def test_decisions_appear_in_wagtail_history(client, in_review, reviewer):
    client.force_login(reviewer)
    client.post(reverse("registry_review:approve", args=[in_review.pk]), {"comment": "Todo conforme"})
    response = client.get(
        reverse("wagtailsnippets_registry_organization:history", args=[in_review.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Documents checked; sent to the registrar" in html
    assert "Todo conforme" in html
    entry = ModelLogEntry.objects.for_instance(in_review).get(action=review.CHECK_PASSED)
    assert entry.user == reviewer


def test_the_edit_form_cannot_change_registration_fields(client, in_review, registrar):
    client.force_login(registrar)
    response = client.get(reverse("wagtailsnippets_registry_organization:edit", args=[in_review.pk]))
    assert response.status_code == 200
    assert 'name="registry_number"' not in response.content.decode()
    assert 'name="status"' not in response.content.decode()


def test_the_wagtail_action_menu_goes_through_the_services(client, in_review, reviewer):
    """Wagtail's own "Approve" in the edit view's menu reaches the service (status, history)."""
    client.force_login(reviewer)
    task_state = in_review.current_workflow_task_state
    url = reverse(
        "wagtailsnippets_registry_organization:workflow_action", args=[in_review.pk, "approve", task_state.pk]
    )
    response = client.post(url, {"comment": "Vía Wagtail"})
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == ApplicationStatus.IN_REVIEW
    assert ModelLogEntry.objects.for_instance(in_review).filter(action=review.CHECK_PASSED).exists()
