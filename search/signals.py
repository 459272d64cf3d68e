"""The directory follows its sources: the registry's listings and vocabulary, and the synonyms.

Connected in SearchConfig.ready. The registry sends its model signals and `organizations_imported`
(registry/signals.py) without knowing who listens; this module decides what the index does.

Listings. Every save or delete of an Organization (publishing, unpublishing, suspending, editing a
live listing, deleting) or of one of its formalization steps (a verified step is a badge on the
card) marks the organization; once the surrounding transaction commits, the marked ids go to
`reindex_organizations`, which enqueues them in batches. When Elasticsearch is configured, the
marked ids are also written to its backlog in the change's transaction (`search.backlog`), so a
change Elasticsearch could not take when it happened reaches it when it is back. A bulk change inside one transaction
therefore becomes a few batched tasks rather than one task per row, and a rolled-back change is
never indexed.

Vocabulary. The index keeps each listing's sector and district names, and cached directory pages
show them, the facets' labels and the badges' titles. Saving a sector, a district or a
formalization step (or deleting one) bumps the index version in the same transaction (cached pages follow at
once) and marks the organizations that use it, re-indexed as above. Staff rename a sector a few
times a year; the largest touches a few thousand listings, a handful of batches.

Municipalities. Listings carry their municipality's ubigeo and name, and the `municipality`
facet shows short names kept in the cache (`search.selectors.municipality_labels`). Saving or
deleting a municipality drops those labels and bumps the index version (cached pages follow at
once); when its name or ubigeo changed, its listings are re-indexed as above. A rename happens
once in a municipality's life; the labels being read from the municipalities themselves, a new
short name costs no re-index at all.

Withdrawals. A listing leaving the index leaves a tombstone (`search.indexing.record_withdrawals`)
when it is re-indexed; a deleted one's entry goes with it by cascade, so its tombstone is written
before the delete (`organization_deleting`).

Imports. The registry import writes rows in bulk and sends `organizations_imported` inside its
transaction: the database index is written there too, so the directory shows the import exactly
when it commits, and Elasticsearch follows through tasks after the commit (`index_in_transaction`).

Synonyms. The database backend expands a query with the synonyms when it runs, reading them once
per index version: bumping the version in the same transaction is enough (every process, and the
cached directory pages, see the change at once). Elasticsearch applies synonyms in its search
analyzer, fixed when an index is created: after the change commits, a task builds a new index
and swaps the alias, while searches go on against the old one.
"""

import threading
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from registry.models import (
    District,
    FormalizationStep,
    Municipality,
    Organization,
    OrganizationStep,
    Sector,
)
from registry.signals import organizations_imported

from . import backlog
from .backends import elasticsearch as es_backend
from .indexing import (
    bump_version,
    index_in_transaction,
    rebuild_elasticsearch_task,
    record_withdrawals,
    reindex_organizations,
)
from .models import DirectoryEntry, Synonym
from .selectors import BADGE_LABELS_KEY, MUNICIPALITY_LABELS_KEY

_pending = threading.local()


def _flush():
    ids = getattr(_pending, "ids", set())
    _pending.ids = set()
    if ids:
        reindex_organizations(ids)


def mark_for_reindex(organization_ids: Iterable[int]) -> None:
    organization_ids = list(organization_ids)
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    _pending.ids.update(organization_ids)
    # The Elasticsearch backlog's rows, in the change's own transaction (search.backlog).
    backlog.queue(organization_ids)
    # One callback per change, but the first to run takes every marked id, the others find
    # nothing left; ids marked in a rolled-back transaction are harmlessly re-checked later.
    transaction.on_commit(_flush)


@receiver(post_save, sender=Organization, dispatch_uid="search_reindex_on_save")
@receiver(post_delete, sender=Organization, dispatch_uid="search_reindex_on_delete")
def organization_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        mark_for_reindex([instance.pk])


@receiver(pre_delete, sender=Organization, dispatch_uid="search_withdrawal_on_delete")
def organization_deleting(sender, instance, **kwargs):
    """A deleted listing's index entry goes with it (a cascade), before any re-index could see
    it leave: its tombstone is written here, in the deleting transaction."""
    numbers = set(
        DirectoryEntry.objects.filter(pk=instance.pk)
        .exclude(registry_number="")
        .values_list("registry_number", flat=True)
    )
    if numbers:
        record_withdrawals(numbers, set())


@receiver(post_save, sender=OrganizationStep, dispatch_uid="search_reindex_on_step")
@receiver(post_delete, sender=OrganizationStep, dispatch_uid="search_reindex_on_step_delete")
def badge_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        mark_for_reindex([instance.organization_id])


@receiver(post_save, sender=Sector, dispatch_uid="search_reindex_on_sector")
@receiver(post_delete, sender=Sector, dispatch_uid="search_reindex_on_sector_delete")
@receiver(post_save, sender=District, dispatch_uid="search_reindex_on_district")
@receiver(post_delete, sender=District, dispatch_uid="search_reindex_on_district_delete")
def place_or_sector_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    bump_version()
    field = "sector" if sender is Sector else "district"
    mark_for_reindex(Organization.objects.filter(**{field: instance}).values_list("pk", flat=True))


@receiver(post_save, sender=FormalizationStep, dispatch_uid="search_reindex_on_formalization_step")
@receiver(post_delete, sender=FormalizationStep, dispatch_uid="search_reindex_on_formalization_step_delete")
def step_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    bump_version()
    # The listing pages name badges by their step's title (search.views keeps them cached).
    cache.delete_many([BADGE_LABELS_KEY.format(language=code) for code, _name in settings.LANGUAGES])
    mark_for_reindex(
        OrganizationStep.objects.filter(step=instance).values_list("organization_id", flat=True).distinct()
    )


# What of a municipality its listings carry in the index.
MUNICIPALITY_INDEXED = ("ubigeo", "name")


@receiver(pre_save, sender=Municipality, dispatch_uid="search_municipality_before_save")
def municipality_saving(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    instance._indexed_before = (
        Municipality.objects.filter(pk=instance.pk).values_list(*MUNICIPALITY_INDEXED).first()
    )


@receiver(post_save, sender=Municipality, dispatch_uid="search_municipality_saved")
@receiver(post_delete, sender=Municipality, dispatch_uid="search_municipality_deleted")
def municipality_changed(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    bump_version()
    cache.delete(MUNICIPALITY_LABELS_KEY)
    # The labels are read again after the commit too: a reader between the delete and the
    # commit may have cached the old ones.
    transaction.on_commit(lambda: cache.delete(MUNICIPALITY_LABELS_KEY))
    before = getattr(instance, "_indexed_before", None)
    renamed = before is not None and before != tuple(getattr(instance, name) for name in MUNICIPALITY_INDEXED)
    if kwargs.get("signal") is post_save and not created and renamed:
        mark_for_reindex(Organization.objects.filter(municipality=instance).values_list("pk", flat=True))


@receiver(organizations_imported, dispatch_uid="search_index_import")
def organizations_were_imported(sender, ids, **kwargs):
    index_in_transaction(ids)


def _enqueue_elasticsearch_rebuild():
    if not getattr(_pending, "rebuild", False):
        return  # another callback of the same transaction did it
    _pending.rebuild = False
    if es_backend.configured():
        rebuild_elasticsearch_task.enqueue()


@receiver(post_save, sender=Synonym, dispatch_uid="search_synonym_saved")
@receiver(post_delete, sender=Synonym, dispatch_uid="search_synonym_deleted")
def synonyms_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    bump_version()
    # Several synonyms saved in one transaction make one rebuild: the first callback takes it.
    _pending.rebuild = True
    transaction.on_commit(_enqueue_elasticsearch_rebuild)
