"""Organization.municipality's default (the home municipality) is read once per process, not
once per listing built, and read again when a municipality or a site changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

from registry.models import Municipality, Organization
from registry.services.municipalities import register_municipality


# serialized_rollback as every other transactional test: a plain one's flush re-creates the content
# types, which the next serialized test then fails to load again.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_listings_built_without_a_municipality_ask_the_database_once_and_follow_a_change():
    root = Page.get_first_root_node()
    Site.objects.update(is_default_site=False)
    lima, _created = register_municipality(ubigeo="150100", prefix="RMO")
    carmen, _created = register_municipality(ubigeo="070103", prefix="MCL")
    lima.site = Site.objects.create(hostname="lima.test", root_page=root, is_default_site=True)
    lima.save()

    with CaptureQueriesContext(connection) as captured:
        built = [Organization(name=f"Bodega {n}") for n in range(50)]
    assert {o.municipality_id for o in built} == {lima.pk}
    assert len(captured) <= 2  # the first build asks; the other 49 do not

    # Another site becomes the default one: the next listing built belongs to its municipality.
    Site.objects.filter(pk=lima.site_id).update(is_default_site=False)
    carmen.site = Site.objects.create(hostname="carmen.test", root_page=root, is_default_site=True)
    carmen.save()
    assert Organization(name="Bodega Callao").municipality_id == carmen.pk
    assert Municipality.objects.count() == 2
