from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ObservationReason(models.Model):
    """Editable list of reasons staff pick when observing an application."""

    code = models.SlugField(max_length=50, unique=True, verbose_name=_("code"))
    label = models.CharField(max_length=150, verbose_name=_("label (Spanish)"))
    label_en = models.CharField(max_length=150, blank=True, verbose_name=_("label (English)"))
    active = models.BooleanField(default=True, verbose_name=_("active"))
    # Reasons every registry uses have none; a municipality adds its own for its requirements.
    municipality = models.ForeignKey(
        "registry.Municipality",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="observation_reasons",
        verbose_name=_("municipality"),
        help_text=_("Empty: offered by every municipality."),
    )

    class Meta:
        ordering = ["label"]
        verbose_name = _("observation reason")
        verbose_name_plural = _("observation reasons")

    def __str__(self):
        from django.utils.translation import get_language

        if (get_language() or "es").startswith("en") and self.label_en:
            return self.label_en
        return self.label


class Observation(models.Model):
    """A reviewer's objection (observación) that the applicant answers (subsanación)."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="observations"
    )
    reasons = models.ManyToManyField(ObservationReason, related_name="+", verbose_name=_("reasons"))
    message = models.TextField(verbose_name=_("message"))
    deadline = models.DateField(null=True, blank=True, verbose_name=_("deadline"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    response = models.TextField(blank=True, verbose_name=_("response"))
    answered_at = models.DateTimeField(null=True, blank=True)
    # When the applicant was reminded of the deadline, and when staff were told it had passed
    # (registry.services.deadlines): each happens once.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_reported_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")

    def __str__(self):
        return f"{self.organization}: {self.created_at:%Y-%m-%d}"

    @property
    def is_open(self):
        return self.answered_at is None


class RegistryCounter(models.Model):
    """Last number handed out per prefix and year. Rows are locked (SELECT … FOR UPDATE) while a
    number is taken, so two approvals at once never get the same number, and numbers never go
    back, so none is reused."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="unique_counter")]


class ListingReport(models.Model):
    """ "Report a problem with this listing", from the public directory, for staff to handle."""

    class Reason(models.TextChoices):
        WRONG_DATA = "wrong_data", _("The information is wrong or out of date")
        CLOSED = "closed", _("It has closed")
        FRAUD = "fraud", _("Fraud or impersonation")
        OFFENSIVE = "offensive", _("Offensive content")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices, verbose_name=_("reason"))
    message = models.TextField(max_length=2000, verbose_name=_("message"))
    contact_email = models.EmailField(blank=True, verbose_name=_("your e-mail (optional)"))
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("listing report")
        verbose_name_plural = _("listing reports")
