import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoTableManager(models.Manager):
    """Every query is empty and never reaches the database: the model has no table.

    Wagtail's history report looks the logged objects up with ``in_bulk``; an empty queryset
    answers that (showing the entry like one of a deleted object) without a query.
    """

    def get_queryset(self):
        return super().get_queryset().none()


class RegistryImport(models.Model):
    """One import of a spreadsheet into the registry, as recorded in Wagtail's audit log.

    There is no table (``managed = False``): each import is a ``ModelLogEntry`` whose object is an
    unsaved RegistryImport with a fresh UUID, whose label is the file name and whose data hold
    the counts. The model also carries the import/export permissions, so they can be given to
    groups in the Wagtail admin and the audit log shows imports to those who hold them.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(max_length=255, verbose_name=_("file name"))

    objects = NoTableManager()

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("import_registry", _("Can import the registry from spreadsheets")),
            ("export_registry", _("Can export the registry")),
            ("export_private_registry", _("Can export the registry with people's private data")),
        ]
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")

    def __str__(self):
        return self.file_name or str(self.id)
