"""Registry numbers never collide with numbers some record already holds."""

import pytest

from registry.importexport.services import import_registry
from registry.models import Organization, RegistryCounter
from registry.services.registry_numbers import next_registry_numbers
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
    from registry.services.registry_numbers import registry_prefix

    Municipality.objects.filter(pk=home_municipality().pk).update(registry_prefix="MCL")

    assert registry_prefix() == "MCL"
    assert next_registry_numbers(year=2031) == ["MCL-2031-000001"]
