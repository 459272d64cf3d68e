from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportExportConfig(AppConfig):
    """Import and export of the registry (django-import-export), as its own small app so that its
    admin screens register through their own wagtail_hooks.py."""

    name = "registry.importexport"
    label = "registry_importexport"
    verbose_name = _("Registry import and export")
