"""What else the cached directory pages show besides the directory index (cms/page_cache.py):
the directory page's own title and intro, the menu with the titles of the pages it links, the
office's details, and the municipality's name, colour and logo. Publishing or unpublishing any
page, or saving the menu, the office's details, a municipality, a site or a page's view
restrictions, bumps the index version in the same transaction, as a listing's change does, so
cached pages never show the old ones (nor does cms.page_shell route with what it kept).
Editors publish a few pages a day: each costs the database backend one reload of what it keeps
per version (milliseconds).

Also here: the editors' rights follow a site's home into its translation."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import GroupPagePermission, Page, PageViewRestriction, Site
from wagtail.signals import copy_for_translation_done, page_published, page_unpublished

from registry.models import Municipality
from search.indexing import bump_version

from . import branding
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


@receiver(post_save, sender=PageViewRestriction, dispatch_uid="cms_page_cache_restriction_saved")
@receiver(post_delete, sender=PageViewRestriction, dispatch_uid="cms_page_cache_restriction_deleted")
def restriction_changed(sender, raw=False, **kwargs):
    """A page made private must stop being served from what was kept while it was public."""
    if not raw:
        _bump()


@receiver(post_save, sender=Municipality, dispatch_uid="cms_branding_municipality_saved")
@receiver(post_delete, sender=Municipality, dispatch_uid="cms_branding_municipality_deleted")
@receiver(post_save, sender=Site, dispatch_uid="cms_branding_site_saved")
@receiver(post_delete, sender=Site, dispatch_uid="cms_branding_site_deleted")
def municipality_changed(sender, raw=False, **kwargs):
    """A municipality's name, colour, logo or site shows on every page (cms/branding.py)."""
    if not raw:
        branding.forget()
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
