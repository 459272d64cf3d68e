"""Registry numbers never collide with numbers some record already holds."""

import pytest

from registry.importexport.services import import_registry
from registry.models import Organization, RegistryCounter
from registry.services.registry_numbers import next_registry_numbers, registry_prefix
from tests.factories import PublishedOrganizationFactory
from tests.registry.test_import_columnar import cells, csv_file

pytestmark = pytest.mark.django_db


def test_numbers_held_by_records_the_counter_never_counted_are_skipped():
    # Typed in by hand, or kept from the office's earlier list: the counter knows nothing of them.
    PublishedOrganizationFactory(registry_number="RMO-2030-000002")
    PublishedOrganizationFactory(registry_number="RMO-2030-000003")

    assert next_registry_numbers(count=3, prefix="RMO", year=2030) == [
        "RMO-2030-000001",
        "RMO-2030-000004",
        "RMO-2030-000005",
    ]
    assert RegistryCounter.objects.get(prefix="RMO", year=2030).last_number == 5
    assert next_registry_numbers(prefix="RMO", year=2030, also_taken={"RMO-2030-000006"}) == [
        "RMO-2030-000007"
    ]


def test_an_import_numbers_new_rows_around_numbers_held_or_given_in_the_same_file(demo_site):
    from django.utils import timezone

    year = timezone.localdate().year
    held = PublishedOrganizationFactory(registry_number=f"RMO-{year}-000001")
    rows = [
        cells(1, name="Sin número uno"),
        cells(2, name="Con número", registry_number=f"RMO-{year}-000002"),
        cells(3, name="Sin número dos"),
    ]

    report = import_registry(data=csv_file(rows), file_name="lista.csv", publish=True)

    assert report.applied, report.file_errors or report.as_dict()["errors"]
    numbers = dict(Organization.objects.values_list("name", "registry_number"))
    assert numbers[held.name] == f"RMO-{year}-000001"
    assert numbers["Con número"] == f"RMO-{year}-000002"
    assert {numbers["Sin número uno"], numbers["Sin número dos"]} == {
        f"RMO-{year}-000003",
        f"RMO-{year}-000004",
    }


def test_the_prefix_is_the_municipalitys(demo_site):
    from registry.models import Municipality, home_municipality

    Municipality.objects.filter(pk=home_municipality().pk).update(registry_prefix="MCL")

    assert registry_prefix() == "MCL"
    assert next_registry_numbers(year=2031) == ["MCL-2031-000001"]


@pytest.mark.parametrize(
    ("role", "may_change"),
    [("registrars", True), ("editors", False), ("reviewers", False)],
)
def test_registrars_change_their_own_municipalitys_prefix(client, carmen, role, may_change):
    """Registrars change their municipality's prefix (and nothing else of it); never another
    municipality's. Editors and reviewers change none."""
    from django.urls import reverse

    from registry.models import MunicipalStaffGroup, home_municipality
    from tests.factories import UserFactory

    lima = home_municipality()
    user = UserFactory(username=f"staff-{role}")
    user.groups.add(MunicipalStaffGroup.objects.get(municipality=lima, role=role).group)
    client.force_login(user)

    own = client.post(
        reverse("wagtailsnippets_registry_municipality:edit", args=[lima.pk]),
        {"registry_prefix": "LIM", "name": "Otro nombre", "short_name": "Otro"},
    )
    other = client.post(
        reverse("wagtailsnippets_registry_municipality:edit", args=[carmen.pk]),
        {"registry_prefix": "XYZ"},
    )

    lima.refresh_from_db()
    carmen.refresh_from_db()
    assert (lima.registry_prefix == "LIM") is may_change
    assert lima.name == "Municipalidad Metropolitana de Lima"  # only the prefix is theirs
    assert carmen.registry_prefix == "MCL"
    assert other.status_code in (302, 403, 404)
    if may_change:
        assert registry_prefix(municipality=lima) == "LIM"
        assert own.status_code == 302
    else:
        assert own.status_code in (302, 403)


def test_a_prefix_another_municipality_holds_is_refused_in_spanish(client, carmen):
    from django.urls import reverse

    from registry.models import MunicipalStaffGroup, home_municipality
    from tests.factories import UserFactory

    lima = home_municipality()
    user = UserFactory(username="registradora")
    user.groups.add(MunicipalStaffGroup.objects.get(municipality=lima, role="registrars").group)
    client.force_login(user)
    url = reverse("wagtailsnippets_registry_municipality:edit", args=[lima.pk])

    taken = client.post(url, {"registry_prefix": "MCL"})
    malformed = client.post(url, {"registry_prefix": "1ab"})

    assert "Ya existe" in taken.content.decode()
    assert "Letras mayúsculas y dígitos" in malformed.content.decode()
    lima.refresh_from_db()
    assert lima.registry_prefix == "RMO"


def test_superusers_change_every_field(client, carmen):
    from django.urls import reverse

    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    url = reverse("wagtailsnippets_registry_municipality:edit", args=[carmen.pk])
    page = client.get(url).content.decode()
    assert 'name="retention_rejected_days"' in page and 'name="ubigeo"' in page
