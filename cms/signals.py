"""What else the cached directory pages show besides the directory index (cms/page_cache.py):
the directory page's own title and intro, the menu with the titles of the pages it links, and
the office's details. Publishing or unpublishing any page, or saving the menu or the office's
details, bumps the index version in the same transaction, as a listing's change does, so cached
pages never show the old ones. Editors publish a few pages a day: each costs the database
backend one reload of what it keeps per version (milliseconds)."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from search.indexing import bump_version

from .models import NavigationSettings, OfficeSettings


def _bump() -> None:
    bump_version()


@receiver(page_published, dispatch_uid="cms_page_cache_page_published")
@receiver(page_unpublished, dispatch_uid="cms_page_cache_page_unpublished")
def page_changed(sender, **kwargs):
    _bump()


@receiver(post_save, sender=NavigationSettings, dispatch_uid="cms_page_cache_navigation")
@receiver(post_save, sender=OfficeSettings, dispatch_uid="cms_page_cache_office")
def settings_changed(sender, raw=False, **kwargs):
    if not raw:
        _bump()
