from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="tasks")
class RegistrySettings(BaseSiteSetting):
    """What each municipality's registry decides for itself (one row per Wagtail site).

    Kept apart from the office's contact details (cms.OfficeSettings), which editors change: the
    prefix is part of every registry number issued, so only registrars (and superusers) hold
    `registry.change_registrysettings` (registry/permissions.py)."""

    registry_prefix = models.CharField(
        max_length=10,
        default="RMO",
        verbose_name=_("registry number prefix"),
        help_text=_("Letters that start every registry number, e.g. RMO-2026-000123."),
    )

    panels = [FieldPanel("registry_prefix")]

    class Meta:
        verbose_name = _("registry settings")
        verbose_name_plural = _("registry settings")
