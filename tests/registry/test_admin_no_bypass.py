import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import PublishedOrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_registrar_cannot_publish_around_the_review(client, demo_site):
    listing = PublishedOrganizationFactory(name="Bodega Original")
    listing.save_revision().publish()
    proposal = listing.get_latest_revision_as_object()
    proposal.name = "Bodega Cambiada Sin Revisión"
    proposal.save_revision()
    registrar = UserFactory(username="registrador")
    registrar.groups.add(Group.objects.get(name="Registradores"))
    client.force_login(registrar)
    url = reverse(listing.snippet_viewset.get_url_name("edit"), args=[listing.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="action-publish"' not in page.content.decode()
    client.post(url, {"name": "Bodega Cambiada Sin Revisión", "action-publish": "action-publish"})
    listing.refresh_from_db()
    assert listing.name == "Bodega Original"
