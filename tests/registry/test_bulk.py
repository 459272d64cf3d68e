"""Many values in one parameter (registry.bulk): the same rows as Django's own lists."""

import pytest

from registry import bulk
from registry.models import Organization
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db


def test_among_finds_what_a_list_finds_ids_and_text():
    names = ['Bodega "La Esquina", Breña', "Pollería D'Ángelo", "Arepas, tequeños"]
    records = [PublishedOrganizationFactory(name=name) for name in names]
    ids = [r.pk for r in records[:2]]
    numbers = [records[1].registry_number, records[2].registry_number, "no such number"]
    slugs = [records[0].slug, records[2].slug]

    def pks(**lookup):
        return set(Organization.objects.filter(**lookup).values_list("pk", flat=True))

    assert pks(pk__in=bulk.among(ids)) == pks(pk__in=ids) == set(ids)
    assert pks(registry_number__in=bulk.among(numbers, "text")) == {records[1].pk, records[2].pk}
    assert pks(slug__in=bulk.among(slugs, "text")) == {records[0].pk, records[2].pk}
    assert pks(name__in=bulk.among(names[:1], "text")) == {records[0].pk}
    assert pks(pk__in=bulk.among([])) == set()
    assert pks(slug__in=bulk.among([], "text")) == set()
