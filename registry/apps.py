from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings
        from PIL import Image

        # Pillow refuses to open an image of more than twice this many pixels (a decompression
        # bomb) wherever it is used: uploads, Wagtail's images, logos.
        Image.MAX_IMAGE_PIXELS = settings.REGISTRY_MAX_IMAGE_PIXELS

        # Imported here, not at the top: signals.py imports the models, which exist only once the
        # app registry is populated.
        from . import signals

        # Django runs ready() in INSTALLED_APPS order and "registry" is listed before
        # "wagtail.admin" (config/settings/base.py), so these connect under Wagtail's
        # dispatch_uids first and wagtail.admin's own connect() then does nothing.
        signals.route_wagtail_notifications()

        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Site

        from .models.municipality import Municipality, forget_home_municipality

        # The home municipality (Organization.municipality's default) is the default site's.
        for sender in (Municipality, Site):
            for signal in (post_save, post_delete):
                signal.connect(
                    forget_home_municipality, sender=sender, dispatch_uid=f"forget_home_{sender.__name__}"
                )
