"""Phone and WhatsApp numbers: how they are read, checked, stored and shown, stated once.

Google's libphonenumber (the `phonenumbers` port) holds each country's numbering plan; guessing
from the count of digits does not work here: "0412-1234567" is a Venezuelan mobile, not a
Peruvian number with a stray 0, and "01 555 1234" is a Lima landline that WhatsApp never reaches.

- Numbers are read with Peru as the default region, so "987 654 321", "01 555 1234" and
  "054 123456" need no country code, and "+58 …" or "0058 …" (00 is how Peru dials abroad) are
  foreign.
- Two spellings that Peru's plan refuses are read the way the people who register here write
  them (see `parse`): a Venezuelan mobile written as in Venezuela ("0412 1234567") and a Lima or
  Callao landline without its 01 area code ("555 1234").
- Stored in E.164 (`+51987654321`), 16 characters at most; a value that cannot be read (older
  data) is kept as it was, never lost, and shown as it is.
- Shown in Peru's own format for Peruvian numbers ("987 654 321", "(01) 5551234") and in the
  international format for foreign ones ("+58 412-1234567").
- Linked with `tel:` and the E.164 number, and with `https://wa.me/<digits>` only when the number
  can be a mobile: a landline has no WhatsApp.

Models use `PhoneNumberField` (forms and the admin then clean to E.164 on their own), the import
its widget (`registry.importexport.widgets.PhoneWidget`), the public pages and the exports the
functions below.
"""

import re

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

DEFAULT_REGION = "PE"
# "+" and at most 15 digits (ITU-T E.164).
E164_MAX_LENGTH = 16
# Stored values: E.164, or an older value that could not be read, kept as it was.
MAX_LENGTH = 20
# What a person may type: spaces, dashes, brackets and "0058" take room that E.164 does not.
TYPED_MAX_LENGTH = 30

MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)

INVALID_MESSAGE = _(
    "Enter a valid phone number, for example 987 654 321 (mobile), 01 555 1234 (Lima landline) "
    "or +58 412 1234567 (abroad, with the country code)."
)
LANDLINE_MESSAGE = _(
    "This is a landline, and WhatsApp needs a mobile number, for example 987 654 321 or +58 412 1234567."
)

# Lima and Callao share the area code 01, and their landlines are written with 7 digits and no
# area code more often than with it.
LIMA_AREA_CODE = "01"
LIMA_LOCAL_DIGITS = 7


def _valid(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


# `phonenumbers.parse` takes about 50 µs (and `is_valid_number` 10 more), a second of a 20,000-row
# import when every row has its own number; a Peruvian mobile, written with digits and separators
# or in E.164, is read in about 6 µs with the library's own pattern for Peru's mobiles (measured
# on this project's machine). Anything else goes to `parse`.
_PERU_MOBILE = re.compile(
    phonenumbers.PhoneMetadata.metadata_for_region(DEFAULT_REGION).mobile.national_number_pattern
)
_SEPARATORS = str.maketrans("", "", " -.()")
_PERU_PREFIX = "+" + str(phonenumbers.country_code_for_region(DEFAULT_REGION))


def _peru_mobile(text: str) -> phonenumbers.PhoneNumber | None:
    compact = text.translate(_SEPARATORS)
    national = compact.removeprefix(_PERU_PREFIX)
    if national.isascii() and national.isdigit() and _PERU_MOBILE.fullmatch(national):
        return phonenumbers.PhoneNumber(country_code=int(_PERU_PREFIX[1:]), national_number=int(national))
    return None


def _parse(text: str) -> phonenumbers.PhoneNumber | None:
    number = _peru_mobile(text) or _valid(text, DEFAULT_REGION)
    if number is not None:
        return number
    digits = "".join(c for c in text if c.isdigit())
    if text[0] != "+" and digits.startswith("04") and len(digits) == 11:
        number = _valid(text, "VE")
        if number is not None and phonenumbers.number_type(number) == PhoneNumberType.MOBILE:
            return number
    if len(digits) == LIMA_LOCAL_DIGITS and text[0] != "+" and digits[0] != "0":
        return _valid(LIMA_AREA_CODE + digits, DEFAULT_REGION)
    return None


# What was read (the number and its E.164 form), by the text it was read from and by its E.164
# form, which forms, imports and models read again right after. Cleared when full: numbers
# repeat within a file or a page.
_CACHE: dict[str, tuple[phonenumbers.PhoneNumber, str] | None] = {}
_CACHE_SIZE = 8192  # a few megabytes at most


def _read(value: str) -> tuple[phonenumbers.PhoneNumber, str] | None:
    text = (value or "").strip()
    if not text or len(text) > TYPED_MAX_LENGTH * 2:
        return None
    try:
        return _CACHE[text]
    except KeyError:
        pass
    number = _parse(text)
    read = None if number is None else (number, phonenumbers.format_number(number, PhoneNumberFormat.E164))
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[text] = read
    if read is not None:
        _CACHE[read[1]] = read
    return read


def parse(value: str) -> phonenumbers.PhoneNumber | None:
    """The number written in `value`, or None when it is not a valid number.

    Besides Peru's plan, two spellings Peru's plan refuses are read:
    - "0412 1234567", "0414-…", "0424…": a Venezuelan mobile written as in Venezuela, with its
      trunk 0. Read as Venezuelan only when it is a Venezuelan *mobile* (04…): a Venezuelan
      landline written nationally is too close to a mistyped Peruvian number to guess.
    - "555 1234": a Lima or Callao landline without its 01 (Peru has no other 7-digit numbers).
    The result is shared (cached): do not change it."""
    read = _read(value)
    return None if read is None else read[0]


def can_be_mobile(number: phonenumbers.PhoneNumber) -> bool:
    return phonenumbers.number_type(number) in MOBILE_TYPES


def to_e164(value: str) -> str:
    """`+51987654321` from any way of writing a valid number; "" from nothing. ValidationError
    (with an example) for anything else."""
    if not (value or "").strip():
        return ""
    read = _read(value)
    if read is None:
        raise ValidationError(INVALID_MESSAGE, code="phone")
    return read[1]


def normalize(value: str) -> str:
    """E.164 when the value can be read, else the value as it was (trimmed): nothing is lost."""
    try:
        return to_e164(value)
    except ValidationError:
        return (value or "").strip()


def validate_phone(value: str) -> None:
    if value and parse(value) is None:
        raise ValidationError(INVALID_MESSAGE, code="phone")


def validate_whatsapp(value: str) -> None:
    """A phone number that can be a mobile: WhatsApp does not reach a landline."""
    if not value:
        return
    number = parse(value)
    if number is None:
        raise ValidationError(INVALID_MESSAGE, code="phone")
    if not can_be_mobile(number):
        raise ValidationError(LANDLINE_MESSAGE, code="whatsapp_landline")


def display(value: str) -> str:
    """How a number is shown: Peru's format for Peruvian numbers, the international one for
    foreign numbers, and a value that cannot be read as it was stored."""
    number = parse(value)
    if number is None:
        return (value or "").strip()
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def tel_href(value: str) -> str:
    """`tel:+51987654321`; a value that cannot be read keeps its digits and "+" only, since a
    space is not allowed in a URL; "" when there is nothing to call."""
    read = _read(value)
    if read is not None:
        return "tel:" + read[1]
    digits = "".join(c for c in value or "" if c.isdigit() or c == "+")
    return f"tel:{digits}" if any(c.isdigit() for c in digits) else ""


def whatsapp_url(value: str) -> str:
    """`https://wa.me/51987654321` (wa.me takes the full number, digits only), for numbers that
    can be a mobile; "" for a landline or a value that cannot be read."""
    read = _read(value)
    if read is None or not can_be_mobile(read[0]):
        return ""
    return "https://wa.me/" + read[1][1:]


# ----- forms and models --------------------------------------------------------------------


class PhoneNumberFormField(forms.CharField):
    """A number typed in any spelling, cleaned to E.164 (so the model stores what was checked)
    and shown back as people write it ("987 654 321", not "+51987654321")."""

    def __init__(self, *, whatsapp=False, **kwargs):
        # The model's max_length is for E.164; what is typed may be longer.
        kwargs["max_length"] = TYPED_MAX_LENGTH
        super().__init__(**kwargs)
        self.whatsapp = whatsapp
        # A phone keypad on phones. Set on the widget, not in its attrs: a form that gives its
        # own TextInput(attrs={"type": "tel"}) would otherwise render the attribute twice.
        if getattr(self.widget, "input_type", None) == "text":
            self.widget.input_type = "tel"

    def to_python(self, value):
        # E.164 when it can be read, so "987 654 321" and "+51987654321" are the same value
        # (an unchanged number is not a change); what cannot be read is left to the validators.
        return normalize(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        (validate_whatsapp if self.whatsapp else validate_phone)(value)

    def prepare_value(self, value):
        return display(value) if isinstance(value, str) and value else value


class PhoneNumberField(models.CharField):
    """A phone number stored in E.164. `whatsapp=True` also refuses a landline.

    `to_python` gives the E.164 form, and Django calls it on every write (`save`, `update`,
    `bulk_create`), so whichever path writes a readable number stores it in E.164. A value that
    cannot be read is written as it is and refused by `full_clean` (the forms, the admin)."""

    def __init__(self, *args, whatsapp=False, **kwargs):
        self.whatsapp = whatsapp
        kwargs.setdefault("max_length", MAX_LENGTH)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    @cached_property
    def validators(self):
        return [*super().validators, validate_whatsapp if self.whatsapp else validate_phone]

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.whatsapp:
            kwargs["whatsapp"] = True
        if kwargs.get("max_length") == MAX_LENGTH:
            del kwargs["max_length"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs

    def to_python(self, value):
        value = super().to_python(value)
        return normalize(value) if isinstance(value, str) else value

    def formfield(self, **kwargs):
        defaults = {"form_class": PhoneNumberFormField, "whatsapp": self.whatsapp}
        defaults.update(kwargs)
        return super().formfield(**defaults)
