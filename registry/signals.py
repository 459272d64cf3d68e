"""Keep the directory's search index in step with organizations.

Every save or delete of an Organization (publishing, unpublishing, suspending, editing a live
listing, deleting) marks its id; once the surrounding transaction commits, the marked ids go to
`search.indexing.reindex_organizations`, which enqueues them in batches. A bulk change inside
one transaction therefore becomes a few batched tasks rather than one task per row, and a
rolled-back change is never indexed.
"""

import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Organization, OrganizationStep

_pending = threading.local()


def _flush():
    ids = getattr(_pending, "ids", set())
    _pending.ids = set()
    if ids:
        from search.indexing import reindex_organizations

        reindex_organizations(ids)


def mark_for_reindex(organization_id: int) -> None:
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    _pending.ids.add(organization_id)
    # One callback per change, but the first to run takes every marked id, the others find
    # nothing left; ids marked in a rolled-back transaction are harmlessly re-checked later.
    transaction.on_commit(_flush)


@receiver(post_save, sender=Organization, dispatch_uid="search_reindex_on_save")
@receiver(post_delete, sender=Organization, dispatch_uid="search_reindex_on_delete")
def organization_changed(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    mark_for_reindex(instance.pk)


@receiver(post_save, sender=OrganizationStep, dispatch_uid="search_reindex_on_step")
@receiver(post_delete, sender=OrganizationStep, dispatch_uid="search_reindex_on_step_delete")
def badge_changed(sender, instance, **kwargs):
    """A verified formalization step is a badge on the listing's card."""
    if kwargs.get("raw"):
        return
    mark_for_reindex(instance.organization_id)
