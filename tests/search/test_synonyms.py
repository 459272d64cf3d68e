"""Synonyms are edited by staff in the Wagtail admin, and every backend follows at once."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from search.indexing import current_version
from search.models import Synonym
from search.query import DirectoryQuery
from search.selectors import directory_search
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db

ADMIN = "wagtailsnippets_directory_search_synonym"


@pytest.fixture
def staff(client, demo_site):
    """A member of the Editores group (not a superuser): synonyms are the editors' vocabulary."""
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user("editora", "editora@example.org", "una-clave-segura-123")
    user.groups.add(Group.objects.get(name="Editores"))
    client.force_login(user)
    return client


@pytest.fixture
def empanadas(db, index_now):
    listing = PublishedOrganizationFactory(
        name="Sabores de Lara", description="Vendemos empanadas de carne y queso por encargo."
    )
    index_now()
    return listing


def names(text, backend="database"):
    result = directory_search(query=DirectoryQuery(text=text), backend=backend)
    assert result.backend == backend
    return [hit.listing.name for hit in result.hits]


def test_staff_list_add_edit_and_delete_synonyms_in_the_admin(
    staff, empanadas, django_capture_on_commit_callbacks
):
    assert names("pastelitos") == []
    listing = staff.get(reverse(f"{ADMIN}:list"), HTTP_ACCEPT_LANGUAGE="en")
    assert listing.status_code == 200
    assert "bodega, minimarket, tienda de abarrotes, abarrotes" in listing.content.decode()

    before = current_version()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse(f"{ADMIN}:add"), {"terms": "pastelitos, empanadas"})
    assert response.status_code == 302
    synonym = Synonym.objects.get(terms="pastelitos, empanadas")
    # The database backend expands queries with the new group at once (its caches follow the
    # index version, which the change bumped).
    assert current_version() != before
    assert names("pastelitos") == ["Sabores de Lara"]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse(f"{ADMIN}:edit", args=[synonym.pk]), {"terms": "pastelitos, tequeños"})
    assert response.status_code == 302
    assert names("pastelitos") == []

    with django_capture_on_commit_callbacks(execute=True):
        staff.post(reverse(f"{ADMIN}:edit", args=[synonym.pk]), {"terms": "pastelitos, empanadas"})
    assert names("pastelitos") == ["Sabores de Lara"]
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse(f"{ADMIN}:delete", args=[synonym.pk]))
    assert response.status_code == 302
    assert not Synonym.objects.filter(pk=synonym.pk).exists()
    assert names("pastelitos") == []


def test_a_synonym_needs_two_different_words(staff):
    with translation.override("en"):
        response = staff.post(reverse(f"{ADMIN}:add"), {"terms": "pastelitos, Pastelitos, de"})
        message = translation.gettext("Write at least two different words or phrases, separated by commas.")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Synonym.objects.filter(terms__startswith="pastelitos").exists()


def test_anonymous_and_applicants_cannot_reach_the_synonyms(client):
    from tests.factories import UserFactory

    assert client.get(reverse(f"{ADMIN}:list")).status_code == 302
    client.force_login(UserFactory(username="applicant"))
    assert client.get(reverse(f"{ADMIN}:list")).status_code in (302, 403)
    assert client.post(reverse(f"{ADMIN}:add"), {"terms": "a, b"}).status_code in (302, 403)
    assert not Synonym.objects.filter(terms="a, b").exists()


def test_synonym_text_never_becomes_rule_syntax(settings):
    from search.backends import elasticsearch as es_backend

    Synonym.objects.create(terms="delivery => reparto, envíos # gratis")
    rules = es_backend.synonym_rules()
    assert "delivery reparto, envios gratis" in rules
    assert not any("=>" in rule or "#" in rule for rule in rules)


@pytest.mark.elasticsearch
def test_elasticsearch_is_rebuilt_behind_its_alias_when_synonyms_change(
    elasticsearch, empanadas, django_capture_on_commit_callbacks
):
    es = elasticsearch.client()
    alias = elasticsearch.index_alias()
    before = list(es.indices.get_alias(name=alias))
    assert names("pastelitos", backend="elasticsearch") == []
    with django_capture_on_commit_callbacks(execute=True):
        Synonym.objects.create(terms="pastelitos, empanadas")
    after = list(es.indices.get_alias(name=alias))
    assert after != before and len(after) == 1
    assert names("pastelitos", backend="elasticsearch") == ["Sabores de Lara"]
    assert (
        "pastelitos, empanadas"
        in es.indices.get_settings(index=after[0])[after[0]]["settings"]["index"]["analysis"]["filter"][
            "portal_synonyms"
        ]["synonyms"]
    )


def test_several_changes_in_one_transaction_make_one_elasticsearch_rebuild(
    settings, django_capture_on_commit_callbacks
):
    from django.db import transaction
    from django_tasks.signals import task_enqueued

    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # configured, and down: the task says so
    settings.ELASTICSEARCH_TIMEOUT = 0.2
    enqueued = []

    def count(sender, task_result, **kwargs):
        if task_result.task.func.__name__ == "rebuild_elasticsearch_task":
            enqueued.append(task_result)

    task_enqueued.connect(count)
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            Synonym.objects.create(terms="pastelitos, empanadas")
            Synonym.objects.create(terms="chamos, niños")
            Synonym.objects.filter(terms__startswith="celulares").first().delete()
    finally:
        task_enqueued.disconnect(count)
    assert len(enqueued) == 1
    assert enqueued[0].return_value == "unavailable"
