from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReminderKind(models.TextChoices):
    """What a reminder is about (registry.services.reminders says when each is due)."""

    DOCUMENT_EXPIRY = "document_expiry", _("A person's migration document expires")
    PERMIT_EXPIRY = "permit_expiry", _("What a formalization step gave expires")
    CONFIRMATION = "confirmation", _("Yearly confirmation of the listing")
    UNCONFIRMED = "unconfirmed", _("Listing unconfirmed, staff told")


class SentReminder(models.Model):
    """The ledger of reminders: one row per reminder that went out, written in the same
    transaction as its notification.

    The unique key is the reminder itself (which organization, what about, which subject, which
    due date), so a second run, a second worker or a retry after a crash finds the row, or waits
    for the other transaction and then finds it, and sends nothing again. A new expiry date or a
    new confirmation gives new due dates, hence new reminders."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="sent_reminders"
    )
    kind = models.CharField(max_length=20, choices=ReminderKind.choices, verbose_name=_("kind"))
    # What in the organization it is about: "person:<id>", "step:<id>" or "listing".
    subject = models.CharField(max_length=40, verbose_name=_("about"))
    due_on = models.DateField(verbose_name=_("due on"))
    # The expiry date, or the date of the last confirmation, the reminder was about.
    concerns_date = models.DateField(verbose_name=_("date it concerns"))
    sent_at = models.DateTimeField(default=timezone.now, verbose_name=_("sent at"))

    class Meta:
        ordering = ["-sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "subject", "due_on"], name="one_reminder_per_due_date"
            )
        ]
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")

    def __str__(self):
        return f"{self.organization_id} {self.kind} {self.subject} {self.due_on}"
