import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from registry.formalization import (
    PORTAL_REGISTRATION_CODES,
    ensure_organization_steps,
    organization_path,
    personal_path,
    progress,
)
from registry.models import ApplicationStatus, Organization, StepStatus
from tests.factories import OrganizationFactory, PublishedOrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def codes(path):
    return [item.step.code for item in path]


def test_business_path_in_order():
    path = personal_path("business", "sole_proprietor")
    assert codes(path) == ["documento-migratorio", "ruc", "licencia", "registro-portal-negocio"]


def test_company_adds_sunarp_incorporation():
    assert "constitucion-empresa" in codes(personal_path("business", "company"))


def test_association_path_includes_statute_board_and_civil_registry():
    path = codes(personal_path("organization", "association"))
    assert path.index("asamblea-fundacion") < path.index("estatuto") < path.index("eleccion-directiva")
    assert "inscripcion-sunarp" in path
    assert path[-2:] == ["registro-organizaciones-civiles", "registro-portal-organizacion"]


def test_community_group_skips_sunarp():
    assert "inscripcion-sunarp" not in codes(personal_path("organization", "community_group"))


def test_answers_prefill_status():
    path = personal_path("business", "informal", {"migration_document": "cpp", "has_ruc": "in_progress"})
    status = {item.step.code: item.status for item in path}
    assert status["documento-migratorio"] == StepStatus.DONE
    assert status["ruc"] == StepStatus.IN_PROGRESS
    assert status["licencia"] == StepStatus.NOT_STARTED


def test_no_document_yet_is_not_started():
    path = personal_path("business", "informal", {"migration_document": "none"})
    assert path[0].status == StepStatus.NOT_STARTED


def test_changing_legal_form_keeps_recorded_progress():
    organization = OrganizationFactory(kind="business", legal_form="company")
    ensure_organization_steps(organization)
    row = organization.steps.get(step__code="constitucion-empresa")
    row.status, row.evidence_number = StepStatus.IN_PROGRESS, "12345678"
    row.save()
    organization.legal_form = "sole_proprietor"
    organization.save()
    ensure_organization_steps(organization)
    assert organization.steps.filter(step__code="constitucion-empresa").exists()


def test_progress_ignores_optional_steps():
    organization = OrganizationFactory(kind="business", legal_form="company")
    ensure_organization_steps(organization)
    organization.steps.exclude(step__optional=True).update(status=StepStatus.DONE)
    rows = list(organization.steps.select_related("step"))
    assert progress(rows) == 100


def _portal_row(organization):
    return next(row for row in organization_path(organization) if row.step.code in PORTAL_REGISTRATION_CODES)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (ApplicationStatus.DRAFT, StepStatus.NOT_STARTED),
        (ApplicationStatus.SUBMITTED, StepStatus.IN_PROGRESS),
        (ApplicationStatus.IN_REVIEW, StepStatus.IN_PROGRESS),
        (ApplicationStatus.OBSERVED, StepStatus.IN_PROGRESS),
        (ApplicationStatus.REJECTED, StepStatus.NOT_STARTED),
        (ApplicationStatus.APPROVED, StepStatus.DONE),
        (ApplicationStatus.SUSPENDED, StepStatus.DONE),
    ],
)
def test_the_portal_registration_step_follows_the_application(status, expected):
    registered = timezone.now() - timedelta(days=3) if expected == StepStatus.DONE else None
    for kind, legal_form in (("business", "informal"), ("organization", "association")):
        organization = OrganizationFactory(
            kind=kind, legal_form=legal_form, status=status, registered_at=registered
        )
        ensure_organization_steps(organization)
        row = _portal_row(organization)
        assert row.status == expected
        assert row.done_on == registered
        # Shown, not saved: the stored row is as the applicant left it.
        assert organization.steps.get(pk=row.pk).status == StepStatus.NOT_STARTED


def test_approval_completes_the_portal_step_and_moves_the_progress():
    organization = OrganizationFactory(kind="business", legal_form="sole_proprietor")
    ensure_organization_steps(organization)
    assert progress(organization_path(organization)) == 0
    Organization.objects.filter(pk=organization.pk).update(
        status=ApplicationStatus.APPROVED, registered_at=timezone.now()
    )
    organization.refresh_from_db()
    assert progress(organization_path(organization)) == 25  # 1 of the 4 required steps


def test_the_applicant_page_shows_the_portal_step_done_since_the_approval(client, demo_site):
    owner = UserFactory(username="titular")
    organization = PublishedOrganizationFactory(
        owner=owner,
        kind="business",
        legal_form="sole_proprietor",
        registered_at=datetime(2026, 3, 3, 15, tzinfo=UTC),
    )
    ensure_organization_steps(organization)
    client.force_login(owner)
    page = client.get(
        reverse("registry:application_detail", args=[organization.pk]), HTTP_ACCEPT_LANGUAGE="es"
    )
    html = page.content.decode()
    assert re.search(r"Registro en el portal municipal: <span class=\"badge ok\">Hecho</span>", html), html
    assert "desde el 3 de marzo de 2026" in html
    assert "25%" in html
    # The wizard does not ask about it.
    wizard = client.get(reverse("registry:wizard", args=[organization.pk, "formalizacion"])).content.decode()
    assert "Registro en el portal municipal" not in wizard and "RUC" in wizard
