import pytest

from registry.formalization import ensure_organization_steps
from registry.models import PersonRole
from registry.services.applications import record_consent
from tests.factories import OrganizationFactory, PersonFactory, UserFactory


@pytest.fixture
def applicant(db):
    return UserFactory(username="ana", email="ana@example.org")


@pytest.fixture
def other_applicant(db):
    return UserFactory(username="bruno", email="bruno@example.org")


@pytest.fixture
def draft(applicant):
    organization = OrganizationFactory(owner=applicant, name="Arepera La Maracucha")
    ensure_organization_steps(organization)
    return organization


@pytest.fixture
def complete_draft(draft, applicant):
    """A draft with everything application_problems asks for, consent included."""
    PersonFactory(organization=draft, role=PersonRole.REPRESENTATIVE)
    record_consent(organization=draft, user=applicant)
    return draft
