"""When staff change the synonyms, the directory follows.

The database backend expands a query with the synonyms when it runs, reading them once per index
version: bumping the version in the same transaction is enough (every process, and the cached
directory pages, see the change at once). Elasticsearch applies synonyms in its search analyzer,
fixed when an index is created: after the change commits, a task builds a new index and swaps
the alias, while searches go on against the old one.
"""

import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Synonym

_pending = threading.local()


def _enqueue_elasticsearch_rebuild():
    if not getattr(_pending, "rebuild", False):
        return  # another callback of the same transaction did it
    _pending.rebuild = False
    from .backends import elasticsearch as es_backend
    from .indexing import rebuild_elasticsearch_task

    if es_backend.configured():
        rebuild_elasticsearch_task.enqueue()


@receiver(post_save, sender=Synonym, dispatch_uid="search_synonym_saved")
@receiver(post_delete, sender=Synonym, dispatch_uid="search_synonym_deleted")
def synonyms_changed(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    from .indexing import bump_version

    bump_version()
    # Several synonyms saved in one transaction make one rebuild: the first callback takes it.
    _pending.rebuild = True
    transaction.on_commit(_enqueue_elasticsearch_rebuild)
