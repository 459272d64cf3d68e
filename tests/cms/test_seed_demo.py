import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page, Site

from registry import public
from registry.demo_applications import DEMO_APPLICATIONS
from registry.models import Municipality, Organization

APPLICATIONS = len(DEMO_APPLICATIONS)  # one application in each review state

pytestmark = pytest.mark.django_db


def counts():
    return (
        Page.objects.count(),
        Organization.objects.count(),
        get_user_model().objects.count(),
        Group.objects.count(),
        Organization.objects.values("registry_number").distinct().count(),
        Site.objects.count(),
        Municipality.objects.count(),
    )


def test_seed_demo_twice_does_not_duplicate(capsys):
    call_command("seed_demo", listings=40, seed=3)
    first_output = capsys.readouterr().out
    assert "password:" in first_output
    first = counts()
    assert first[1] == 40 + APPLICATIONS
    call_command("seed_demo", listings=40, seed=3)
    second_output = capsys.readouterr().out
    assert "password:" not in second_output  # printed once
    assert counts() == first


def test_seed_demo_ends_with_addresses_and_accounts_and_sends_no_mail(
    capsys, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://127.0.0.1:8765"
    # What the seeding's commits would run, the review decisions' e-mails among them.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", listings=5, seed=2)
    assert mail.outbox == []
    output = capsys.readouterr().out
    block = output[output.rindex("The demo portal is ready") :]
    assert output.rstrip().endswith("=" * 72)
    for path in ("/ ", "/directorio/", "/empezar/", "/admin/"):
        assert f"http://127.0.0.1:8765{path.strip()}" in block
    for email in (
        "admin@example.com",
        "revisora@example.com",
        "registrador@example.com",
        "editora@example.com",
        "revisor.carmen@example.com",
        "registradora.carmen@example.com",
        "editor.carmen@example.com",
    ):
        assert email in block
    # Each municipality's site, on the port the portal runs on.
    assert "http://lima.localhost:8765/" in block and "http://carmen.localhost:8765/" in block
    lima_staff = block.index("Municipalidad Metropolitana de Lima:")
    carmen_staff = block.index("Municipalidad Distrital de Carmen de la Legua Reynoso:")
    assert lima_staff < block.index("revisora@example.com") < carmen_staff < block.index("revisor.carmen@")
    assert "solicitante@example.com" in block
    password = re.search(r"revisora@example.com\s+password: (\S+)", block).group(1)
    reviewer = get_user_model().objects.get(email="revisora@example.com")
    assert reviewer.check_password(password)
    assert reviewer.groups.filter(name="Revisores").exists()

    call_command("seed_demo", listings=5, only_if_empty=True)
    again = capsys.readouterr().out
    assert "seed_demo skipped" in again
    assert again.rstrip().endswith("=" * 72)
    assert "revisora@example.com" in again[again.index("The demo portal is ready") :]
    assert "password:" not in again


def test_seed_demo_listings_are_realistic():
    call_command("seed_demo", listings=60, seed=5)
    listings = Organization.objects.published().filter(created_by__isnull=True)
    assert listings.count() == 60
    assert Organization.objects.count() == 60 + APPLICATIONS
    assert set(Organization.objects.values_list("status", flat=True)) >= {
        "draft",
        "submitted",
        "in_review",
        "observed",
        "approved",
        "rejected",
        "suspended",
    }
    assert listings.values("district").distinct().count() > 5
    assert listings.values("sector").distinct().count() > 5
    assert all(o.registry_number.startswith(f"{o.municipality.registry_prefix}-") for o in listings)
    assert {"Revisores", "Registradores", "Editores"} <= set(Group.objects.values_list("name", flat=True))
    # One listing per municipality whose data went unconfirmed for over 13 months; the rest fresh.
    unconfirmed = [o for o in listings if public.unconfirmed_since(o)]
    assert sorted(o.municipality.ubigeo for o in unconfirmed) == ["070103", "150100"]
    assert all((timezone.now() - o.last_confirmed_at).days > 395 for o in unconfirmed)


def test_seed_demo_more_listings_adds_only_the_new_ones():
    call_command("seed_demo", listings=10, seed=1)
    call_command("seed_demo", listings=25, seed=1)
    assert Organization.objects.count() == 25 + APPLICATIONS


def test_seed_demo_builds_two_municipalities_each_with_its_site_staff_and_listings():
    call_command("seed_demo", listings=40, seed=4)
    lima = Municipality.objects.get(ubigeo="150100")
    carmen = Municipality.objects.get(ubigeo="070103")
    assert lima.name == "Municipalidad Metropolitana de Lima"
    assert carmen.name == "Municipalidad Distrital de Carmen de la Legua Reynoso"
    # Lima's default site (so 127.0.0.1 reaches it) and Carmen's own, on *.localhost.
    assert (lima.site.hostname, lima.site.port, lima.site.is_default_site) == ("lima.localhost", 8000, True)
    assert (carmen.site.hostname, carmen.site.port, carmen.site.is_default_site) == (
        "carmen.localhost",
        8000,
        False,
    )
    assert lima.colour and carmen.colour and lima.colour != carmen.colour
    # Lima takes registrations in the districts of Lima province only.
    assert lima.districts.count() == 43
    assert set(lima.districts.values_list("ubigeo", flat=True)) == {f"1501{n:02d}" for n in range(1, 44)}
    listings = Organization.objects.published().filter(created_by__isnull=True)
    lima_listings, carmen_listings = listings.filter(municipality=lima), listings.filter(municipality=carmen)
    assert lima_listings.count() == 32 and carmen_listings.count() == 8
    assert all(o.district.ubigeo.startswith("1501") for o in lima_listings)
    assert all(o.registry_number.startswith("RMO-") for o in lima_listings)
    assert {o.district.code for o in carmen_listings} == {"carmen-de-la-legua-reynoso"}
    assert all(o.registry_number.startswith("MCL-") for o in carmen_listings)
    # Both have staff and applications waiting in their own queue.
    for municipality in (lima, carmen):
        applications = Organization.objects.filter(municipality=municipality, created_by__isnull=False)
        assert {"submitted", "in_review", "observed"} <= set(applications.values_list("status", flat=True))
        for role in ("reviewers", "registrars", "editors"):
            group = municipality.staff_groups.get(role=role).group
            assert group.user_set.exclude(is_superuser=True).exists()
    # Each site has its own pages.
    for municipality in (lima, carmen):
        home = municipality.site.root_page
        assert set(home.get_children().values_list("slug", flat=True)) >= {"directorio", "guias", "eventos"}
    # Carmen's licence step replaces the national one there, and links Carmen's own guide.
    licence = carmen.formalization_steps.get(code="licencia")
    assert licence.cost and licence.guide_page.get_site().pk == carmen.site.pk
    assert not lima.formalization_steps.exists()


def test_seed_demo_second_run_changes_nothing_with_two_municipalities(capsys):
    call_command("seed_demo", listings=20, seed=6)
    first = counts()
    numbers = sorted(Organization.objects.values_list("slug", "registry_number", "municipality_id"))
    call_command("seed_demo", listings=20, seed=6)
    assert counts() == first
    assert sorted(Organization.objects.values_list("slug", "registry_number", "municipality_id")) == numbers
