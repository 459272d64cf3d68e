"""What follows an application's municipality besides the screens: who is e-mailed about it,
which observation reasons staff may pick and edit, and how long its documents are kept."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registry.models import (
    MunicipalStaffGroup,
    ObservationReason,
    Organization,
    SupportingDocument,
    home_municipality,
)
from registry.services import review
from registry.services.applications import add_document, record_consent
from registry.services.retention import purge_expired_documents
from registry.workflows import ObserveForm
from tests.factories import OrganizationFactory, PersonFactory, UserFactory
from tests.registry import upload_files as files

pytestmark = pytest.mark.django_db


def _staff(municipality, role, username):
    user = UserFactory(username=username, email=f"{username}@example.org")
    user.groups.add(MunicipalStaffGroup.objects.get(municipality=municipality, role=role).group)
    return user


def _submit(municipality, username, capture):
    owner = UserFactory(username=username, email=f"{username}@example.org")
    organization = OrganizationFactory(owner=owner, municipality=municipality, name=f"Negocio de {username}")
    PersonFactory(organization=organization)
    record_consent(organization=organization, user=owner)
    with capture(execute=True):
        review.submit_application(organization=organization, user=owner)
    return organization


def test_news_of_an_application_reach_only_its_municipalitys_staff(
    carmen, django_capture_on_commit_callbacks
):
    lima = home_municipality()
    lima_reviewer = _staff(lima, "reviewers", "revisor-lima")
    carmen_reviewer = _staff(carmen, "reviewers", "revisor-carmen")
    # An administrator gave Carmen's document check to Lima's reviewers as well: still, only
    # those who serve Carmen de la Legua hear of its applications.
    carmen_task = carmen.workflow.tasks.get(registryreviewtask__stage="document_check").specific
    carmen_task.groups.add(lima_reviewer.groups.get())

    _submit(carmen, "chalaca", django_capture_on_commit_callbacks)

    staff_mail = [m for m in mail.outbox if "chalaca@example.org" not in m.to]
    recipients = {address for message in staff_mail for address in message.to}
    assert carmen_reviewer.email in recipients
    assert lima_reviewer.email not in recipients

    mail.outbox.clear()
    _submit(lima, "limeno", django_capture_on_commit_callbacks)
    recipients = {address for message in mail.outbox for address in message.to}
    assert lima_reviewer.email in recipients
    assert carmen_reviewer.email not in recipients


@pytest.fixture
def reasons(carmen):
    return {
        "shared": ObservationReason.objects.create(code="comun", label="Motivo común"),
        "lima": ObservationReason.objects.create(
            code="licencia-lima", label="Licencia de Lima", municipality=home_municipality()
        ),
        "carmen": ObservationReason.objects.create(
            code="licencia-carmen", label="Licencia de Carmen", municipality=carmen
        ),
    }


def _codes(form):
    return {code for code, _label in form.fields["reasons"].choices}


def test_the_observe_form_offers_the_municipalitys_reasons_and_the_shared_ones(carmen, reasons):
    offered = _codes(ObserveForm(municipality_id=carmen.pk))
    assert {"comun", "licencia-carmen"} <= offered
    assert "licencia-lima" not in offered
    # Wagtail's workflow modal builds the form from the task.
    task = carmen.workflow.tasks.get(registryreviewtask__stage="document_check").specific
    assert _codes(task.get_form_for_action("observe")()) == offered
    form = ObserveForm(
        {"reasons": ["licencia-lima"], "message": "x", "deadline": "2099-01-01"}, municipality_id=carmen.pk
    )
    assert not form.is_valid() and "reasons" in form.errors


def test_the_review_screen_offers_its_municipalitys_reasons(
    client, carmen, reasons, django_capture_on_commit_callbacks
):
    organization = _submit(carmen, "chalaca", django_capture_on_commit_callbacks)
    client.force_login(_staff(carmen, "reviewers", "revisor-carmen"))
    page = client.get(f"/admin/registry/review/{organization.pk}/").content.decode()
    assert "Licencia de Carmen" in page and "Motivo común" in page
    assert "Licencia de Lima" not in page


def test_registrars_edit_their_municipalitys_reasons_not_the_others(client, carmen, reasons):
    url = lambda key: reverse("wagtailsnippets_registry_observationreason:edit", args=[reasons[key].pk])  # noqa: E731
    client.force_login(_staff(carmen, "registrars", "registradora-carmen"))
    listing = client.get(reverse("wagtailsnippets_registry_observationreason:list")).content.decode()
    assert "Licencia de Carmen" in listing and "Motivo común" in listing
    assert "Licencia de Lima" not in listing
    assert client.get(url("carmen")).status_code == 200
    assert client.get(url("lima")).status_code == 404
    # The common list is kept by the home municipality's office (and administrators).
    assert client.get(url("shared")).status_code == 404
    client.post(url("lima"), {"label": "Cambiado", "code": "licencia-lima", "active": "on"})
    assert ObservationReason.objects.get(code="licencia-lima").label == "Licencia de Lima"
    # A new reason belongs to Carmen de la Legua, not to Lima nor to all.
    add = reverse("wagtailsnippets_registry_observationreason:add")
    client.post(
        add, {"label": "Nuevo", "code": "nuevo", "municipality": home_municipality().pk, "active": "on"}
    )
    client.post(add, {"label": "Nuevo", "code": "nuevo", "active": "on"})
    assert not ObservationReason.objects.filter(code="nuevo").exists()
    client.post(add, {"label": "Nuevo", "code": "nuevo", "municipality": carmen.pk, "active": "on"})
    assert ObservationReason.objects.get(code="nuevo").municipality == carmen

    client.force_login(_staff(home_municipality(), "registrars", "registradora-lima"))
    assert client.get(url("shared")).status_code == 200
    assert client.get(url("lima")).status_code == 200
    assert client.get(url("carmen")).status_code == 404


def _rejected_with_document(municipality, days_ago):
    organization = OrganizationFactory(municipality=municipality)
    PersonFactory(organization=organization)
    document = add_document(
        organization=organization, user=None, uploaded=files.pdf(), document_type="identity"
    )
    Organization.objects.filter(pk=organization.pk).update(
        status="rejected", decided_at=timezone.now() - timedelta(days=days_ago)
    )
    return document


def test_documents_are_kept_as_long_as_their_municipality_says(carmen, settings):
    settings.REGISTRY_RETENTION_REJECTED_DAYS = 180
    carmen.retention_rejected_days = 30
    carmen.save()
    carmen_old = _rejected_with_document(carmen, 31)
    carmen_recent = _rejected_with_document(carmen, 29)
    lima_31 = _rejected_with_document(home_municipality(), 31)
    lima_old = _rejected_with_document(home_municipality(), 181)

    counts = purge_expired_documents()

    assert counts["rejected"] == 2
    kept = set(SupportingDocument.objects.values_list("pk", flat=True))
    assert kept == {carmen_recent.pk, lima_31.pk}
    assert carmen_old.pk not in kept and lima_old.pk not in kept


def test_the_observe_service_refuses_another_municipalitys_reason(carmen, django_capture_on_commit_callbacks):
    """Not only the forms: the service itself takes only the reasons the registration's
    municipality offers (its own and the shared ones)."""
    from django.core.exceptions import ValidationError

    lima = home_municipality()
    ObservationReason.objects.create(code="solo-carmen", label="Solo Carmen", municipality=carmen)
    organization = _submit(lima, "solicitante-motivos", django_capture_on_commit_callbacks)
    reviewer = _staff(lima, "reviewers", "revisora-motivos")
    with pytest.raises(ValidationError):
        review.observe(
            organization=organization, user=reviewer, reasons=["solo-carmen"], message="Falta algo"
        )
    organization.refresh_from_db()
    assert organization.status == "submitted" and not organization.observations.exists()
