from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonalDataRequest(models.Model):
    """A request under Ley 29733 (access or cancellation), made online by the holder or in person
    at the office and carried out by staff. The record keeps what was done, not the data."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access (copy of the data)")
        DELETION = "deletion", _("Deletion")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online, by the holder")
        OFFICE = "office", _("At the office")

    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    channel = models.CharField(max_length=10, choices=Channel.choices, verbose_name=_("channel"))
    # A reference the office can quote back (the account id), never the e-mail itself.
    subject_reference = models.CharField(max_length=64, verbose_name=_("holder reference"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.CharField(max_length=300, blank=True, verbose_name=_("notes"))
    result = models.JSONField(default=dict, blank=True, verbose_name=_("result"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("date"))
    # Whose registry the request concerned (the holder's registrations' municipalities, else the
    # office's): the staff of those municipalities see it in their list (registry.jurisdiction).
    municipalities = models.ManyToManyField(
        "registry.Municipality", blank=True, related_name="+", verbose_name=_("municipalities")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")
        permissions = [("handle_personal_data_request", _("Can handle personal data requests"))]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d}"
