import pytest

from registry.formalization import ensure_organization_steps, personal_path, progress
from registry.models import StepStatus
from tests.factories import OrganizationFactory

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
