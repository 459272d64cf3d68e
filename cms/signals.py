"""What else the cached directory pages show besides the directory index (cms/page_cache.py):
the directory page's own title and intro, the menu with the titles of the pages it links, and
the office's details. Publishing or unpublishing any page, or saving the menu or the office's
details, bumps the index version in the same transaction, as a listing's change does, so cached
pages never show the old ones. Editors publish a few pages a day: each costs the database
backend one reload of what it keeps per version (milliseconds).

Also here: the editors' rights follow a site's home into its translation."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.models import GroupPagePermission, Page, Site
from wagtail.signals import copy_for_translation_done, page_published, page_unpublished

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


@receiver(copy_for_translation_done, dispatch_uid="cms_translated_home_keeps_its_editors")
def translated_home_keeps_its_editors(sender, source_obj, target_obj, **kwargs):
    """A site's home translated (by an administrator: it sits under Wagtail's root) starts a new
    page tree; the groups that edit the Spanish tree get the same rights on it, so editors can
    translate the rest of the site."""
    if not isinstance(source_obj, Page) or not Site.objects.filter(root_page_id=source_obj.pk).exists():
        return
    for granted in GroupPagePermission.objects.filter(page_id=source_obj.pk):
        GroupPagePermission.objects.get_or_create(
            group_id=granted.group_id, page_id=target_obj.pk, permission_id=granted.permission_id
        )
