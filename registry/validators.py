"""Validators for Peruvian identifiers and places, shared by forms, models and imports (phone
numbers: `registry.phones`)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# SUNAT prefixes: 10 natural person (DNI), 15 and 17 natural persons without DNI (foreigners,
# older registrations), 16 and 20 legal entities.
RUC_PREFIXES = ("10", "15", "16", "17", "20")
RUC_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def ruc_check_digit(first_ten: str) -> int:
    """SUNAT's modulo-11 check digit: weights 5432765432, 11 - (sum mod 11), 10 -> 0, 11 -> 1."""
    total = sum(int(d) * w for d, w in zip(first_ten, RUC_WEIGHTS, strict=True))
    digit = 11 - total % 11
    return {10: 0, 11: 1}.get(digit, digit)


def validate_ruc(value: str) -> None:
    value = (value or "").strip()
    if not re.fullmatch(r"\d{11}", value):
        raise ValidationError(_("The RUC must have exactly 11 digits."), code="ruc_length")
    if value[:2] not in RUC_PREFIXES:
        raise ValidationError(_("The RUC must start with 10, 15, 16, 17 or 20."), code="ruc_prefix")
    if ruc_check_digit(value[:10]) != int(value[10]):
        raise ValidationError(
            _("This RUC is not valid: its last digit does not match. Please check it."),
            code="ruc_check_digit",
        )


# A generous box around Peru's territory (Tumbes to Tacna, Pacific to Madre de Dios).
PERU_LATITUDE = (-18.5, 0.1)
PERU_LONGITUDE = (-81.5, -68.5)


def validate_latitude(value) -> None:
    if value is not None and not PERU_LATITUDE[0] <= float(value) <= PERU_LATITUDE[1]:
        raise ValidationError(_("The latitude is outside Peru."), code="latitude")


def validate_longitude(value) -> None:
    if value is not None and not PERU_LONGITUDE[0] <= float(value) <= PERU_LONGITUDE[1]:
        raise ValidationError(_("The longitude is outside Peru."), code="longitude")
