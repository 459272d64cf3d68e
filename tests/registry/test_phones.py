"""Phone and WhatsApp numbers (registry.phones): read in the spellings people use, stored in
E.164, shown and linked as callers and WhatsApp expect; the data migration converts what was
stored before."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from registry import phones
from registry.models import Organization
from tests.factories import OrganizationFactory, PersonFactory

# written -> (E.164, shown, tel: link, wa.me link)
NUMBERS = {
    # A Peruvian mobile, however it is written.
    "987654321": ("+51987654321", "987 654 321", "tel:+51987654321", "https://wa.me/51987654321"),
    "987 654 321": ("+51987654321", "987 654 321", "tel:+51987654321", "https://wa.me/51987654321"),
    "987-654-321": ("+51987654321", "987 654 321", "tel:+51987654321", "https://wa.me/51987654321"),
    "+51 987 654 321": ("+51987654321", "987 654 321", "tel:+51987654321", "https://wa.me/51987654321"),
    "0051987654321": ("+51987654321", "987 654 321", "tel:+51987654321", "https://wa.me/51987654321"),
    "+51987654321": ("+51987654321", "987 654 321", "tel:+51987654321", "https://wa.me/51987654321"),
    # A Lima landline: callable, no WhatsApp.
    "01 555 1234": ("+5115551234", "(01) 5551234", "tel:+5115551234", ""),
    "(01) 555-1234": ("+5115551234", "(01) 5551234", "tel:+5115551234", ""),
    "555 1234": ("+5115551234", "(01) 5551234", "tel:+5115551234", ""),
    # A provincial landline (Arequipa, area code 054).
    "054 234567": ("+5154234567", "(054) 234567", "tel:+5154234567", ""),
    # A Venezuelan mobile: with +58, with 00 58 (how Peru dials abroad), or as written in Venezuela.
    "+58 412 1234567": (
        "+584121234567",
        "+58 412-1234567",
        "tel:+584121234567",
        "https://wa.me/584121234567",
    ),
    "0058 412 1234567": (
        "+584121234567",
        "+58 412-1234567",
        "tel:+584121234567",
        "https://wa.me/584121234567",
    ),
    "0412-1234567": ("+584121234567", "+58 412-1234567", "tel:+584121234567", "https://wa.me/584121234567"),
    "0414 1234567": ("+584141234567", "+58 414-1234567", "tel:+584141234567", "https://wa.me/584141234567"),
    "04241234567": ("+584241234567", "+58 424-1234567", "tel:+584241234567", "https://wa.me/584241234567"),
    "0416-1234567": ("+584161234567", "+58 416-1234567", "tel:+584161234567", "https://wa.me/584161234567"),
    "0426 123 45 67": ("+584261234567", "+58 426-1234567", "tel:+584261234567", "https://wa.me/584261234567"),
    # Other countries: Colombia's mobiles, a US number (fixed line or mobile: WhatsApp may reach it).
    "+57 310 1234567": (
        "+573101234567",
        "+57 310 1234567",
        "tel:+573101234567",
        "https://wa.me/573101234567",
    ),
    "+1 202 555 0143": ("+12025550143", "+1 202-555-0143", "tel:+12025550143", "https://wa.me/12025550143"),
}

JUNK = [
    "12",
    "12345",
    "uno dos tres",
    "987 654 32",
    "9876543210",
    "0212 1234567",
    "+58 123",
    "0412-123",
    "=1+1",
]


@pytest.mark.parametrize(("written", "expected"), NUMBERS.items())
def test_numbers_are_read_stored_shown_and_linked(written, expected):
    e164, shown, tel, whatsapp = expected
    assert phones.to_e164(written) == e164
    assert phones.normalize(written) == e164
    assert phones.display(e164) == shown
    assert phones.tel_href(e164) == tel
    assert phones.whatsapp_url(e164) == whatsapp
    phones.validate_phone(written)
    # The stored form reads back as itself.
    assert phones.to_e164(e164) == e164


@pytest.mark.parametrize("written", JUNK)
def test_junk_is_refused_with_an_example(written):
    with pytest.raises(ValidationError) as error:
        phones.to_e164(written)
    assert error.value.code == "phone"
    assert "987 654 321" in error.value.messages[0]
    with translation.override("es"):
        message = str(phones.INVALID_MESSAGE)
    assert "Escribe" in message and "987 654 321" in message
    # Kept as written, never lost; shown as written; no WhatsApp link.
    assert phones.normalize(written) == written
    assert phones.whatsapp_url(written) == ""


def test_a_landline_is_no_whatsapp():
    phones.validate_whatsapp("987 654 321")
    phones.validate_whatsapp("0412-1234567")
    for landline in ("01 555 1234", "054 234567"):
        phones.validate_phone(landline)
        with pytest.raises(ValidationError) as error:
            phones.validate_whatsapp(landline)
        assert error.value.code == "whatsapp_landline"


def test_links_never_have_spaces():
    # A value that cannot be read (an office's "01 000 0000 anexo 12") still links without spaces.
    assert phones.tel_href("01 000 0000") == "tel:+5110000000"
    assert phones.tel_href("1234 anexo 5") == "tel:12345"
    assert phones.tel_href("") == "" and phones.tel_href("sin teléfono") == ""


def test_the_model_field_stores_e164_and_says_what_is_wrong(db):
    organization = OrganizationFactory.build(phone="01 555 1234", whatsapp="0412-1234567", sector=None)
    organization.full_clean(exclude=["sector", "district", "slug"])
    assert (organization.phone, organization.whatsapp) == ("+5115551234", "+584121234567")

    organization.whatsapp = "01 555 1234"
    organization.phone = "12"
    with pytest.raises(ValidationError) as error, translation.override("en"):
        organization.full_clean(exclude=["sector", "district", "slug"])
    assert error.value.error_dict["phone"][0].code == "phone"
    assert error.value.error_dict["whatsapp"][0].code == "whatsapp_landline"
    with translation.override("es"):
        assert "teléfono fijo" in error.value.message_dict["whatsapp"][0]


def _migration():
    return importlib.import_module("registry.migrations.0012_phone_numbers_e164")


def test_the_migration_converts_stored_numbers_and_keeps_what_it_cannot_read(db):
    convertible = OrganizationFactory(name="Bodega Caracas")
    unreadable = OrganizationFactory(name="Taller Zulia")
    empty = OrganizationFactory(name="Costura Mérida")
    person = PersonFactory(organization=convertible)
    # Rows as older versions stored them (digits as typed, or anything at all), written in SQL:
    # the field itself writes E.164.
    with connection.cursor() as cursor:
        for pk, phone, whatsapp in [
            (convertible.pk, "015551234", "04121234567"),
            (unreadable.pk, "123 anexo 4", "987654321"),
            (empty.pk, "", ""),
        ]:
            cursor.execute(
                "UPDATE registry_organization SET phone = %s, whatsapp = %s WHERE id = %s",
                [phone, whatsapp, pk],
            )
        cursor.execute("UPDATE registry_person SET phone = %s WHERE id = %s", ["987 000 111", person.pk])
    assert Organization.objects.get(pk=convertible.pk).phone == "015551234"
    before = Organization.objects.get(pk=unreadable.pk).updated_at

    _migration().to_e164(apps, None)

    convertible.refresh_from_db()
    unreadable.refresh_from_db()
    empty.refresh_from_db()
    person.refresh_from_db()
    assert (convertible.phone, convertible.whatsapp) == ("+5115551234", "+584121234567")
    assert (unreadable.phone, unreadable.whatsapp) == ("123 anexo 4", "+51987654321")
    assert (empty.phone, empty.whatsapp) == ("", "")
    assert person.phone == "+51987000111"
    # Changed rows are touched, so `search_index update` re-indexes them.
    assert unreadable.updated_at > before
    # Run again: nothing changes.
    _migration().to_e164(apps, None)
    assert Organization.objects.get(pk=unreadable.pk).phone == "123 anexo 4"


# The database: a new Organization takes the home municipality as its default.
@pytest.mark.django_db
@pytest.mark.parametrize("form_name", ["OrganizationContactForm", "PersonForm"])
def test_phone_inputs_are_tel_with_one_type_attribute(form_name):
    """A phone keypad on phones, and valid HTML: `type` once (the Nu checker refuses two)."""
    import re

    from registry import forms

    form = getattr(forms, form_name)()
    for name, field in form.fields.items():
        if isinstance(field, phones.PhoneNumberFormField):
            html = str(form[name])
            assert re.findall(r'\stype="([^"]*)"', html) == ["tel"], html
