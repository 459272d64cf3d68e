import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from registry.models import Organization, PersonalDataRequest
from tests.factories import OrganizationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/datos-personales/"


@pytest.fixture
def registrar(demo_site):
    user = UserFactory(username="registradora")
    user.groups.add(Group.objects.get(name="Registradores"))
    return user


@pytest.fixture
def holder():
    user = UserFactory(username="carmen", email="carmen@example.org")
    organization = OrganizationFactory(owner=user, name="Costura Carmen")
    PersonFactory(organization=organization, document_number="CE998877")
    return user


def test_staff_exports_a_persons_data_at_the_office(client, registrar, holder):
    client.force_login(registrar)
    response = client.post(URL, {"email": "CARMEN@example.org", "kind": "access", "notes": "CE shown"})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["organizations"][0]["people"][0]["document_number"] == "CE998877"
    record = PersonalDataRequest.objects.get()
    assert (record.kind, record.channel, record.handled_by) == ("access", "office", registrar)
    assert record.subject_reference == f"user:{holder.pk}"
    assert "carmen" not in json.dumps(record.result) + record.subject_reference


def test_staff_deletion_needs_confirmation_then_deletes(client, registrar, holder):
    client.force_login(registrar)
    response = client.post(URL, {"email": "carmen@example.org", "kind": "deletion"})
    assert response.status_code == 400
    assert get_user_model().objects.filter(pk=holder.pk).exists()
    response = client.post(URL, {"email": "carmen@example.org", "kind": "deletion", "confirm_deletion": "on"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=holder.pk).exists()
    assert not Organization.objects.filter(name="Costura Carmen").exists()
    assert PersonalDataRequest.objects.get().result == {"deleted_drafts": 1}


def test_unknown_email_says_so_and_changes_nothing(client, registrar):
    client.force_login(registrar)
    response = client.post(URL, {"email": "nadie@example.org", "kind": "access"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "No account uses this e-mail address." in response.content.decode()
    assert not PersonalDataRequest.objects.exists()


@pytest.mark.parametrize("group", ["Revisores", "Editores"])
def test_other_staff_cannot_use_it(client, demo_site, holder, group):
    user = UserFactory(username="otra")
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    assert client.post(URL, {"email": "carmen@example.org", "kind": "access"}).status_code in (302, 403)
    assert not PersonalDataRequest.objects.exists()


def test_online_requests_are_recorded_too(client, holder):
    client.force_login(holder)
    client.get("/mi-cuenta/datos/descargar/")
    assert PersonalDataRequest.objects.get().channel == "online"


@pytest.mark.parametrize("kind", ["deletion", "access"])
@pytest.mark.parametrize("target", ["superuser", "reviewer", "registrar"])
def test_the_office_screen_acts_only_on_applicant_accounts(client, registrar, kind, target):
    """A Registrador neither deletes nor exports a staff account (superusers included)."""
    if target == "superuser":
        staff = UserFactory(username="root", email="root@example.org", is_superuser=True, is_staff=True)
    else:
        staff = UserFactory(username=target, email=f"{target}@example.org")
        staff.groups.add(
            Group.objects.get(name={"reviewer": "Revisores", "registrar": "Registradores"}[target])
        )
    client.force_login(registrar)
    response = client.post(
        URL,
        {"email": staff.email, "kind": kind, "confirm_deletion": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Staff accounts are managed by administrators" in response.content.decode()
    assert get_user_model().objects.filter(pk=staff.pk).exists()
    assert not PersonalDataRequest.objects.exists()


def test_the_privacy_service_refuses_staff_accounts_whoever_calls_it(registrar):
    from django.core.exceptions import PermissionDenied

    from registry.services import privacy

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied):
        privacy.deletion_request(subject=root, handled_by=registrar)
    with pytest.raises(PermissionDenied):
        privacy.access_request(subject=root, handled_by=registrar)
    assert get_user_model().objects.filter(pk=root.pk).exists()
