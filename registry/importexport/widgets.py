"""django-import-export widgets that read and write the shared vocabulary's cells.

Each ``clean`` validates like the forms do (the same validators, from registry/validators.py and
registry/phones.py) and raises ``ValueError`` with a message for staff; the resource turns it into
a row error on that column. Each ``render`` writes what ``clean`` reads back unchanged, so an export imports as
"unchanged".
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator, URLValidator, validate_email
from django.utils.text import slugify
from django.utils.translation import gettext as _
from import_export import widgets

from .. import phones
from ..models.taxonomy import fold
from ..validators import validate_latitude, validate_longitude, validate_ruc

# A cell that a spreadsheet would run as a formula (OWASP "CSV injection"). Phone numbers such
# as "+51 987 654 321" and negative coordinates are data, so "+" and "-" count only when what
# follows is not a number.
_NUMBER_LIKE = re.compile(r"[+-][\d\s().,-]*")


def looks_like_formula(value: str) -> bool:
    if not value:
        return False
    if value[0] in "=@\t\r":
        return True
    return value[0] in "+-" and not _NUMBER_LIKE.fullmatch(value)


# Where a spreadsheet may split one cell into several: a list joined with ";" opened in a locale
# whose list separator is ";" (Spanish ones), or an unquoted "," elsewhere. Each piece is checked.
_PIECES = re.compile(r"([;,])")


def escape_formula(value):
    """Neutralise a cell for spreadsheets, as OWASP advises: a leading apostrophe before the cell,
    and before every piece after a ";" or "," that would start like a formula (spaces before it
    included, which some spreadsheets trim), so that no cell starts with =, +, -, @, a tab or a
    carriage return however the file is split.

    The one place every CSV the portal writes goes through (registry exports, the public CSV,
    Wagtail's listing export of organizations)."""
    if not isinstance(value, str) or not value:
        return value
    pieces = _PIECES.split(value)  # text, separator, text, separator, ...
    for i in range(0, len(pieces), 2):
        piece = pieces[i]
        if looks_like_formula(piece) or looks_like_formula(piece.lstrip(" ")):
            pieces[i] = "'" + piece
    return "".join(pieces)


def message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def cell_text(value) -> str:
    """A cell as text whatever the file gave: numbers from XLSX, lists from JSON, None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (list, tuple)):
        return ";".join(cell_text(v) for v in value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value).strip()


class TextWidget(widgets.CharWidget):
    """Plain text that may not start like a spreadsheet formula."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        try:
            # PostgreSQL refuses text holding NUL: without this the whole file failed at the
            # database instead of this cell being reported.
            ProhibitNullCharactersValidator()(text)
        except ValidationError as error:
            raise ValueError(message(error)) from error
        if looks_like_formula(text):
            raise ValueError(_("This cell starts like a spreadsheet formula (=, +, -, @); remove that sign."))
        return text


class RegistryNumberWidget(TextWidget):
    PATTERN = re.compile(r"[A-Z0-9][A-Z0-9/-]{1,29}")

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs).upper()
        if text and not self.PATTERN.fullmatch(text):
            raise ValueError(_("A registry number has letters, digits and dashes only (RMO-2026-000123)."))
        return text or None


class ChoiceWidget(TextWidget):
    """A code of the vocabulary, given as the code or as its label, in any case, with or without accents."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def lookup(self):
        # Labels are lazy translations: the table is built per active language, once.
        from django.utils.translation import get_language

        language = get_language()
        if getattr(self, "_language", None) != language:
            table = {}
            for code, label in self.choices:
                table[fold(code)] = code
                table[fold(str(label))] = code
            self._table, self._language = table, language
        return self._table

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if not text:
            return ""
        code = self.lookup().get(fold(text))
        if code is None:
            allowed = ", ".join(code for code, _label in self.choices)
            raise ValueError(
                _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed}
            )
        return code


class TaxonomyWidget(widgets.ForeignKeyWidget):
    """A sector or district by code or by name, with or without accents, in any case.

    ``District.objects.by_code_or_name()`` answers one value with one query; an import asks
    20,000 times, so the widget folds every code, name and alias once into a dictionary.
    """

    def __init__(self, model, **kwargs):
        super().__init__(model, field="code", **kwargs)
        self._table = None

    def reset(self):
        self._table = None

    def table(self):
        if self._table is None:
            table = {}
            for item in self.model.objects.all():
                for key in (item.code, item.name, getattr(item, "also_known_as", "")):
                    if key:
                        table.setdefault(fold(key), item)
                        table.setdefault(slugify(fold(key)), item)
            self._table = table
        return self._table

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        if looks_like_formula(text):
            raise ValueError(_("This cell starts like a spreadsheet formula (=, +, -, @); remove that sign."))
        table = self.table()
        item = table.get(fold(text)) or table.get(slugify(fold(text)))
        if item is None:
            raise ValueError(
                _(
                    "Unknown %(what)s “%(value)s”: use a code or a name from the list in docs/import-export.md."
                )
                % {"what": self.model._meta.verbose_name, "value": text}
            )
        return item

    def render(self, value, obj=None, **kwargs):
        return value.code if value is not None else ""


class YesNoWidget(widgets.BooleanWidget):
    TRUE_WORDS = {"yes", "y", "si", "s", "true", "1", "x", "verdadero"}
    FALSE_WORDS = {"no", "n", "false", "0", "falso"}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = fold(cell_text(value))
        if not text:
            return None  # the model's default (shown) stays
        if text in self.TRUE_WORDS:
            return True
        if text in self.FALSE_WORDS:
            return False
        raise ValueError(_("Write yes or no."))

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "yes" if value else "no"


class ListWidget(TextWidget):
    """A JSON list in the model, ``;``-separated in a cell (commas belong inside the items)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, (list, tuple)):
            items = [cell_text(v) for v in value]
        else:
            items = super().clean(value, row, **kwargs).split(";")
        return [item.strip() for item in items if item.strip()]

    def render(self, value, obj=None, **kwargs):
        return ";".join(value or [])


class LanguagesWidget(ListWidget):
    def __init__(self, codes, **kwargs):
        self.codes = codes
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        codes = [code.lower() for code in super().clean(value, row, **kwargs)]
        unknown = [code for code in codes if code not in self.codes]
        if unknown:
            raise ValueError(
                _("Unknown language code “%(code)s”: use ISO 639-1 codes such as es;en.")
                % {"code": unknown[0]}
            )
        return list(dict.fromkeys(codes))


class CoordinateWidget(widgets.DecimalWidget):
    """Latitude or longitude in decimal degrees inside Peru; a decimal comma is accepted."""

    def __init__(self, validator, **kwargs):
        self.validator = validator
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value).replace(",", ".")
        if not text:
            return None
        try:
            number = Decimal(text).quantize(Decimal("0.000001"))
        except InvalidOperation:
            raise ValueError(_("Write a number in decimal degrees, such as -12.0464.")) from None
        try:
            self.validator(number)
        except ValidationError as error:
            raise ValueError(message(error)) from None
        return number

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


def latitude_widget():
    return CoordinateWidget(validate_latitude)


def longitude_widget():
    return CoordinateWidget(validate_longitude)


class PhoneWidget(TextWidget):
    """A number in any spelling ("987 654 321", "(01) 555-1234", "0058 412…", "0412-1234567", a
    spreadsheet's 987654321.0), stored and exported in E.164 (registry.phones), so an export
    imports unchanged. `whatsapp=True` refuses a landline, as the forms do."""

    def __init__(self, *, whatsapp=False, **kwargs):
        self.whatsapp = whatsapp
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        if text[0] in "=@":
            return super().clean(text, row, **kwargs)
        try:
            (phones.validate_whatsapp if self.whatsapp else phones.validate_phone)(text)
        except ValidationError as error:
            raise ValueError(message(error)) from None
        return phones.to_e164(text)


class RucWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs).replace(" ", "")
        if not text:
            return ""
        try:
            validate_ruc(text)
        except ValidationError as error:
            raise ValueError(message(error)) from None
        return text


class EmailWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if not text:
            return ""
        try:
            validate_email(text)
        except ValidationError:
            raise ValueError(_("Enter a valid e-mail address.")) from None
        return text


class URLWidget(TextWidget):
    """Like the form's URL field: "www.example.pe" is read as https://www.example.pe."""

    validator = URLValidator(schemes=["http", "https"])

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if not text:
            return ""
        if "://" not in text:
            text = "https://" + text
        try:
            self.validator(text)
        except ValidationError:
            raise ValueError(_("Enter a valid web address (http or https).")) from None
        return text


class YearWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        if not re.fullmatch(r"\d{4}", text):
            raise ValueError(_("Write the year with four digits, such as 2019."))
        year = int(text)
        if not 1900 <= year <= datetime.date.today().year:
            raise ValueError(_("The year must be between 1900 and this year."))
        return year

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)
