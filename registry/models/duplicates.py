from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DuplicateReason(models.TextChoices):
    """Why two records look like one organization (registry.services.duplicates decides)."""

    RUC = "ruc", _("Same RUC")
    PHONE = "phone", _("Same phone number")
    WHATSAPP = "whatsapp", _("Same WhatsApp number")
    NAME = "name", _("Similar name in the same district")
    NEARBY = "nearby", _("Less than 50 m apart")


class DuplicateCandidate(models.Model):
    """Two records that may be one organization, found at submission or by an import, and what
    staff decided: the same organization merged into one, two records of one family (branches)
    linked, or not the same (dismissed).

    The pair is stored once, lower id first (`first`, `second`). A merge names the `survivor`;
    the other record points to it from here, which is how its registry number and its listing
    address lead to the survivor."""

    class Status(models.TextChoices):
        OPEN = "open", _("To decide")
        LINKED = "linked", _("Linked (same family)")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not a duplicate")

    first = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    second = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    reasons = models.JSONField(default=list, verbose_name=_("reasons"))  # DuplicateReason codes
    distance_m = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("distance (m)"))
    found_at = models.DateTimeField(default=timezone.now, verbose_name=_("found on"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, verbose_name=_("status")
    )
    survivor = models.ForeignKey(
        "registry.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("kept record"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided on"))
    note = models.TextField(blank=True, verbose_name=_("note"))

    class Meta:
        ordering = ["-found_at", "-pk"]
        verbose_name = _("likely duplicate")
        verbose_name_plural = _("likely duplicates")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="registry_duplicate_pair_unique"),
            models.CheckConstraint(
                condition=Q(first__lt=F("second")), name="registry_duplicate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["second", "status"])]

    def __str__(self):
        return f"{self.first_id} ~ {self.second_id} ({self.status})"

    def other(self, organization_id: int) -> int:
        """The id of the record paired with `organization_id`."""
        return self.second_id if organization_id == self.first_id else self.first_id

    def reason_labels(self) -> list[str]:
        labels = dict(DuplicateReason.choices)
        return [str(labels.get(code, code)) for code in self.reasons]
