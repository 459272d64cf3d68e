import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey


class DocumentType(models.TextChoices):
    IDENTITY = "identity", _("Identity or migration document")
    RUC = "ruc", _("RUC record (ficha RUC)")
    LICENCE = "licence", _("Municipal operating licence")
    FOUNDING_MINUTES = "founding_minutes", _("Founding minutes")
    STATUTE = "statute", _("Statute")
    BOARD_MINUTES = "board_minutes", _("Board election minutes")
    MEMBER_LIST = "member_list", _("Member list (padrón)")
    PREMISES_SKETCH = "premises_sketch", _("Sketch of the premises and area of action")
    OTHER = "other", _("Other")


class _PrivateStorage(LazyObject):
    """Resolved on first use, like Django's default_storage, so settings (and tests) choose it."""

    def _setup(self):
        self._wrapped = storages["private"]


private_files = _PrivateStorage()


def private_storage():
    # A callable, so migrations do not freeze a machine's path into the schema.
    return private_files


def private_upload_to(instance, filename):
    """Random names: the original name ("pasaporte-maria-perez.pdf") is personal data."""
    ext = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
        instance.content_type, ""
    )
    return f"documents/{timezone.now():%Y/%m}/{secrets.token_urlsafe(24)}{ext}"


class SupportingDocument(models.Model):
    """A private file. Served only through registry.views.documents, to managers and staff."""

    # A ParentalKey: which documents stand behind a registration is part of its revisions, so
    # removing one (the evidence of a verified step, say) is a proposal staff approve.
    organization = ParentalKey("registry.Organization", on_delete=models.CASCADE, related_name="documents")
    document_type = models.CharField(max_length=30, choices=DocumentType.choices, verbose_name=_("type"))
    file = models.FileField(storage=private_storage, upload_to=private_upload_to, max_length=200)
    original_name = models.CharField(max_length=200, verbose_name=_("file name"))
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(verbose_name=_("size"))
    description = models.CharField(max_length=200, blank=True, verbose_name=_("description"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Uploaded after the first submission and not yet accepted by staff. The file is stored at
    # once (staff must read it to decide, and a step's evidence points at it), but it joins the
    # record only when the proposal that carries it is approved.
    proposed = models.BooleanField(default=False, editable=False, verbose_name=_("awaiting review"))

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")

    def __str__(self):
        return f"{self.get_document_type_display()}: {self.original_name}"

    def delete(self, *args, **kwargs):
        storage, name = self.file.storage, self.file.name
        result = super().delete(*args, **kwargs)
        if name:
            storage.delete(name)
        return result
