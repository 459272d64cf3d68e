from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey

from ..phones import PhoneNumberField


class PersonRole(models.TextChoices):
    REPRESENTATIVE = "representative", _("Representative")
    FOUNDER = "founder", _("Founder or owner")
    BOARD_MEMBER = "board_member", _("Board member")
    MEMBER = "member", _("Member")


class DocumentKind(models.TextChoices):
    """Migration or identity document a person holds. Many migrants hold none yet."""

    DNI = "dni", _("DNI (Peruvian ID)")
    CE = "ce", _("Carné de Extranjería")
    CPP = "cpp", _("CPP (Carné de Permiso Temporal de Permanencia)")
    PTP = "ptp", _("PTP (Permiso Temporal de Permanencia)")
    PASSPORT = "passport", _("Passport")
    REFUGEE = "refugee", _("Refugee applicant card")
    NONE = "none", _("None yet")


class Person(models.Model):
    """Someone behind an organization. Every field here is private: never public, never exported
    in the public export, never logged."""

    # A ParentalKey: the people ride in the organization's revisions, so after the first
    # submission a new representative is a proposal that staff approve, with its history.
    organization = ParentalKey("registry.Organization", on_delete=models.CASCADE, related_name="people")
    role = models.CharField(
        max_length=20, choices=PersonRole.choices, default=PersonRole.REPRESENTATIVE, verbose_name=_("role")
    )
    position = models.CharField(
        max_length=80,
        blank=True,
        verbose_name=_("position"),
        help_text=_("For board members: president, secretary, treasurer…"),
    )
    full_name = models.CharField(max_length=200, verbose_name=_("full name"))
    nationality = models.CharField(max_length=60, blank=True, verbose_name=_("nationality"))
    document_type = models.CharField(
        max_length=20,
        choices=DocumentKind.choices,
        default=DocumentKind.NONE,
        verbose_name=_("document type"),
    )
    document_number = models.CharField(max_length=30, blank=True, verbose_name=_("document number"))
    document_expires_on = models.DateField(
        null=True,
        blank=True,
        verbose_name=_("document valid until"),
        help_text=_("The expiry date printed on the document, when it has one (a CPP lasts a year)."),
    )
    phone = PhoneNumberField(verbose_name=_("phone"))
    email = models.EmailField(blank=True, verbose_name=_("e-mail"))
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return f"{self.full_name} ({self.get_role_display()})"
