"""Staff see an application only once it is submitted (with the applicant's consent); editors
choose among published listings only."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from registry.services import review
from registry.services.applications import record_consent
from tests.factories import OrganizationFactory, PersonFactory, PublishedOrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/snippets/registry/organization/"
CHOOSER = "/admin/snippets/choose/registry/organization/"


@pytest.fixture
def listings(demo_site):
    applicant = UserFactory(username="dora")
    draft = OrganizationFactory(owner=applicant, name="Borrador Secreto")
    PersonFactory(organization=draft, document_number="CE55501234")
    submitter = UserFactory(username="elsa")
    submitted = OrganizationFactory(owner=submitter, name="Solicitud Enviada")
    PersonFactory(organization=submitted)
    from registry.formalization import ensure_organization_steps

    ensure_organization_steps(submitted)
    record_consent(organization=submitted, user=submitter)
    review.submit_application(organization=submitted, user=submitter)
    published = PublishedOrganizationFactory(name="Listado Publicado")
    published.save_revision().publish()
    return draft, submitted, published


def _user(role):
    user = UserFactory(username=role)
    user.groups.add(Group.objects.get(name={"reviewer": "Revisores", "editor": "Editores"}[role]))
    return user


def test_the_queue_and_its_export_hide_unsubmitted_drafts(client, listings):
    client.force_login(_user("reviewer"))
    page = client.get(QUEUE).content.decode()
    assert "Solicitud Enviada" in page
    assert "Borrador Secreto" not in page
    export = client.get(QUEUE + "?export=csv")
    body = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert "Solicitud Enviada" in body
    assert "Borrador Secreto" not in body


def test_reviewers_choose_among_submitted_editors_among_published(client, listings):
    client.force_login(_user("reviewer"))
    page = client.get(CHOOSER + "results/").content.decode()
    assert "Solicitud Enviada" in page and "Listado Publicado" in page
    assert "Borrador Secreto" not in page
    client.force_login(_user("editor"))
    page = client.get(CHOOSER + "results/").content.decode()
    assert "Listado Publicado" in page
    assert "Solicitud Enviada" not in page and "Borrador Secreto" not in page


def _settings_url(app, model):
    from wagtail.models import Site

    return f"/admin/settings/{app}/{model}/{Site.objects.get(is_default_site=True).pk}/"


@pytest.mark.parametrize(
    "role, office, municipality",
    [("editor", 302, 302), ("reviewer", 302, 302), ("registrar", 302, 200), ("superuser", 200, 200)],
)
def test_office_settings_belong_to_administrators_the_prefix_to_registrars(
    client, demo_site, role, office, municipality
):
    if role == "superuser":
        user = UserFactory(username="root", is_superuser=True, is_staff=True)
    elif role == "registrar":
        user = UserFactory(username="registradora")
        user.groups.add(Group.objects.get(name="Registradores"))
    else:
        user = _user(role)
    client.force_login(user)
    assert client.get(_settings_url("cms", "officesettings")).status_code == office
    from registry.models import home_municipality

    edit = reverse("wagtailsnippets_registry_municipality:edit", args=[home_municipality().pk])
    response = client.get(edit)
    assert response.status_code == municipality
    if municipality == 200:  # registrars see the prefix only; administrators every field
        page = response.content.decode()
        assert 'name="registry_prefix"' in page
        assert ('name="ubigeo"' in page) is (role == "superuser")


def test_existing_editors_lose_the_office_settings(demo_site):
    """The groups of an installation made before: ensure_staff_groups takes the right away."""
    from django.contrib.auth.models import Permission

    from registry.permissions import ensure_staff_groups

    editors = Group.objects.get(name="Editores")
    editors.permissions.add(
        Permission.objects.get(content_type__app_label="cms", codename="change_officesettings")
    )
    ensure_staff_groups()
    assert not editors.permissions.filter(codename="change_officesettings").exists()
