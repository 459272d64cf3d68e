"""Shared set-up of the staff review tests: a complete application and staff in each group.

Imported by the other test_review*, test_verification, test_concurrency and test_dashboard
modules; it holds no tests itself.
"""

import pytest
from django.contrib.auth.models import Group

from registry.models import ConsentRecord, PersonRole
from registry.permissions import REGISTRARS, REVIEWERS
from tests.factories import OrganizationFactory, PersonFactory, UserFactory


def complete_application(owner, **fields):
    """A draft the completeness rule accepts (representative, contact, consent)."""
    organization = OrganizationFactory(owner=owner, **fields)
    PersonFactory(organization=organization, role=PersonRole.REPRESENTATIVE)
    ConsentRecord.objects.create(
        user=owner, organization=organization, text_version="1", text="Acepto.", language="es"
    )
    return organization


def staff_member(group_name, **fields):
    user = UserFactory(**fields)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def applicant(demo_site):
    return UserFactory(username="applicant", email="maria@example.org")


@pytest.fixture
def application(applicant):
    return complete_application(applicant)


@pytest.fixture
def reviewer(demo_site):
    return staff_member(REVIEWERS, username="reviewer", email="reviewer@example.org", first_name="Rosa")


@pytest.fixture
def registrar(demo_site):
    return staff_member(REGISTRARS, username="registrar", email="registrar@example.org", first_name="Luis")
