import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrganizationMembership(models.Model):
    """Who may manage an organization's application and listing on the public site."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MANAGER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="unique_membership")]


def invitation_token():
    return secrets.token_urlsafe(32)


class OrganizationInvitation(models.Model):
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(verbose_name=_("e-mail"))
    token = models.CharField(max_length=64, unique=True, default=invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)


class ConsentRecord(models.Model):
    """Ley 29733 (Protección de Datos Personales) asks for express, informed consent; we keep
    exactly what was shown and when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="consents"
    )
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="consents"
    )
    text_version = models.CharField(max_length=20)
    text = models.TextField()
    language = models.CharField(max_length=10)
    given_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-given_at"]
