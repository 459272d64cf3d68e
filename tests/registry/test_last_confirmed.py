""" "Data confirmed on …": set by staff approvals and by the organization's own "my data is still
correct", shown on the listing page; nobody else can confirm a listing."""

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from cms.models import DirectoryPage
from registry.importexport.services import import_registry
from registry.models import ApplicationStatus, Organization
from registry.services import review
from search import indexing
from tests.factories import OrganizationFactory, PublishedOrganizationFactory, UserFactory

from . import test_review_support as support
from .test_review import approve_fully

applicant, application, reviewer, registrar = (
    support.applicant,
    support.application,
    support.reviewer,
    support.registrar,
)

pytestmark = pytest.mark.django_db

MARCH_3 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # 10:00 in Lima


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


@pytest.fixture
def owner(demo_site):
    return UserFactory(username="duena", email="duena@example.org")


@pytest.fixture
def listing(owner):
    return PublishedOrganizationFactory(owner=owner, name="Cachapas Mérida", last_confirmed_at=MARCH_3)


def test_approving_a_registration_and_its_changes_confirm_the_data(
    application, applicant, reviewer, registrar, run_on_commit
):
    assert application.last_confirmed_at is None
    approved = approve_fully(application, applicant, reviewer, registrar, run_on_commit)
    assert approved.last_confirmed_at == approved.decided_at

    Organization.objects.filter(pk=approved.pk).update(last_confirmed_at=MARCH_3)
    approved.refresh_from_db()
    proposal = approved.get_latest_revision_as_object()
    proposal.name = "Arepera Maracaibo Express"
    proposal.save_revision(user=applicant)
    run_on_commit(review.submit_application, organization=approved, user=applicant)
    # A proposal alone confirms nothing: staff have not checked it yet.
    approved.refresh_from_db()
    assert approved.last_confirmed_at == MARCH_3
    run_on_commit(review.approve, organization=approved, user=reviewer)
    run_on_commit(review.approve, organization=approved, user=registrar)
    approved.refresh_from_db()
    assert approved.name == "Arepera Maracaibo Express"
    assert approved.last_confirmed_at > MARCH_3


def test_an_official_list_published_by_import_is_confirmed(demo_site):
    data = "name,kind,district\nBodega Caracas,business,Comas\n"
    report = import_registry(data=data.encode(), file_name="lista.csv", publish=True)
    assert report.ok, report.as_dict()
    organization = Organization.objects.get(name="Bodega Caracas")
    assert organization.last_confirmed_at is not None
    assert organization.last_confirmed_at == organization.last_published_at


def test_the_owner_confirms_from_my_registrations_and_the_listing_says_since_when(client, owner, listing):
    indexing.rebuild()
    directory = DirectoryPage.objects.live().first()
    page = client.get(f"{directory.url}{listing.slug}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Datos confirmados el 3 de marzo de 2026" in page

    client.force_login(owner)
    mine = client.get(reverse("registry:my_registrations"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    url = reverse("registry:confirm_listing", args=[listing.pk])
    assert f'action="{url}"' in mine and "Mis datos siguen correctos" in mine
    assert "csrfmiddlewaretoken" in mine

    before = timezone.now()
    with_commit = client.post(url, HTTP_ACCEPT_LANGUAGE="es")
    assert with_commit.status_code == 302
    listing.refresh_from_db()
    assert listing.last_confirmed_at >= before
    entry = ModelLogEntry.objects.for_instance(listing).get(action=review.CONFIRM)
    assert entry.user == owner

    indexing.rebuild()
    page = client.get(f"{directory.url}{listing.slug}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    today = timezone.localdate()
    assert f"Datos confirmados el {today.day} de " in page and f"de {today.year}" in page
    assert "3 de marzo de 2026" not in page


def test_nobody_else_can_confirm_a_listing(client, listing):
    url = reverse("registry:confirm_listing", args=[listing.pk])
    # Anonymous: to the login.
    assert client.post(url).status_code == 302
    # Another applicant: as if it did not exist.
    client.force_login(UserFactory(username="otro"))
    assert client.post(url).status_code == 404
    listing.refresh_from_db()
    assert listing.last_confirmed_at == MARCH_3
    assert not ModelLogEntry.objects.for_instance(listing).filter(action=review.CONFIRM).exists()
    # And the service says no, whoever calls it.
    with pytest.raises(review.ReviewNotAllowed):
        review.confirm_listing(organization=listing, user=UserFactory(username="tercero"))


def test_only_a_listed_registration_can_be_confirmed(client, owner, listing):
    client.force_login(owner)
    url = reverse("registry:confirm_listing", args=[listing.pk])
    # A GET changes nothing.
    assert client.get(url).status_code == 405
    Organization.objects.filter(pk=listing.pk).update(status=ApplicationStatus.SUSPENDED)
    listing.refresh_from_db()
    with pytest.raises(review.ReviewConflict):
        review.confirm_listing(organization=listing, user=owner)
    assert (
        "Mis datos siguen correctos"
        not in client.get(reverse("registry:my_registrations"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    )
    assert client.post(url).status_code == 302
    listing.refresh_from_db()
    assert listing.last_confirmed_at == MARCH_3


def test_the_migration_backfills_from_the_last_publication(demo_site):
    published = PublishedOrganizationFactory(last_published_at=MARCH_3, decided_at=None)
    decided = PublishedOrganizationFactory(last_published_at=None, decided_at=MARCH_3)
    draft = OrganizationFactory()
    Organization.objects.update(last_confirmed_at=None)

    importlib.import_module("registry.migrations.0013_last_confirmed_at").backfill(apps, None)

    assert Organization.objects.get(pk=published.pk).last_confirmed_at == MARCH_3
    assert Organization.objects.get(pk=decided.pk).last_confirmed_at == MARCH_3
    assert Organization.objects.get(pk=draft.pk).last_confirmed_at is None
