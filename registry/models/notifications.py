"""The notification outbox, and the applicant's consent to be told by SMS or WhatsApp.

A `Notification` is one message to one recipient on one channel. It is written in the same
transaction as the decision that causes it (registry.notifications), so a decision never exists
without its notice and a rolled-back decision leaves none. Delivery (registry.outbox) claims a
row before sending it, so no row is sent twice; a failed send is retried with back-off and its
state is what the timeline and the staff's review page show.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..phones import PhoneNumberField


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class NotificationQuerySet(models.QuerySet):
    def due(self, now=None):
        """Rows waiting to be sent whose time has come."""
        return self.filter(
            state__in=Notification.WAITING, next_attempt_at__lte=now or timezone.now()
        ).order_by("next_attempt_at", "pk")


class Notification(models.Model):
    class Audience(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        STAFF = "staff", _("Staff")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Failed, will retry")
        FAILED = "failed", _("Failed permanently")
        CANCELLED = "cancelled", _("Cancelled")

    WAITING = (State.PENDING, State.RETRYING)

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="notifications"
    )
    audience = models.CharField(max_length=10, choices=Audience.choices)
    event = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    # An e-mail address or an E.164 number: the only personal data the row holds.
    recipient = models.CharField(max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=10, default="es")
    observation = models.ForeignKey(
        "registry.Observation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The provider's or mail server's answer (code and text), never the message's content.
    last_error = models.CharField(max_length=500, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    resend_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["organization", "created_at"], name="notification_org_created")]

    def __str__(self):
        return f"{self.audience}:{self.event} ({self.channel}, {self.state})"


class MessagingConsent(models.Model):
    """An applicant's express consent to be told of their applications by SMS or WhatsApp at a
    number (Ley 29733: express, informed, withdrawable). Without a current one no SMS or WhatsApp
    message is ever written to the outbox."""

    MESSAGING_CHANNELS = [
        (Channel.SMS.value, Channel.SMS.label),
        (Channel.WHATSAPP.value, Channel.WHATSAPP.label),
    ]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messaging_consents"
    )
    channel = models.CharField(max_length=10, choices=MESSAGING_CHANNELS, verbose_name=_("channel"))
    phone = PhoneNumberField(verbose_name=_("mobile number"), whatsapp=True, blank=False)
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_current_messaging_consent",
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()} ({self.given_at:%Y-%m-%d})"

    @classmethod
    def current_for(cls, user):
        return cls.objects.filter(user=user, withdrawn_at__isnull=True).first()
