from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    label = "directory_search"
    verbose_name = _("Directory search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here, not at the top: signals.py imports the registry's models and ours, which
        # exist only once the app registry is populated; importing it connects the receivers.
        from . import signals  # noqa: F401
