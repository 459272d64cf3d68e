"""What the public forms offer: no "---------" as a choice, on the blank form or after a mistake."""

import re

import pytest

from registry.forms import (
    DocumentUploadForm,
    OrganizationBasicsForm,
    OrganizationContactForm,
    PersonForm,
    StartForm,
)
from search.forms import ListingReportForm

PUBLIC_FORMS = [
    StartForm,
    OrganizationBasicsForm,
    OrganizationContactForm,
    PersonForm,
    DocumentUploadForm,
    ListingReportForm,
]


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", PUBLIC_FORMS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("bound", [False, True], ids=["blank", "sent empty"])
def test_no_dashes_for_a_choice(form_class, bound):
    form = form_class(data={}) if bound else form_class()
    if bound:
        form.is_valid()
    assert "---------" not in str(form)


@pytest.mark.django_db
def test_a_radio_left_unchosen_is_an_error_not_a_choice():
    form = OrganizationBasicsForm(data={"name": "Arepas Doña María"})
    assert not form.is_valid()
    assert "kind" in form.errors and "legal_form" in form.errors
    assert "" not in [value for value, _label in form.fields["kind"].choices]


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("@arepasdonamaria", "https://www.instagram.com/arepasdonamaria/"),
        ("arepasdonamaria", "https://www.instagram.com/arepasdonamaria/"),
        ("@arepas.dona_maria", "https://www.instagram.com/arepas.dona_maria/"),
        ("instagram.com/arepasdonamaria", "https://instagram.com/arepasdonamaria"),
        ("https://www.instagram.com/arepasdonamaria/", "https://www.instagram.com/arepasdonamaria/"),
    ],
)
def test_instagram_as_people_type_it(typed, stored):
    from registry.forms import SocialProfileField

    assert SocialProfileField("instagram", required=False).clean(typed) == stored


def test_facebook_and_tiktok_handles():
    from registry.forms import SocialProfileField

    assert SocialProfileField("facebook").clean("@ArepasDM") == "https://www.facebook.com/ArepasDM"
    assert SocialProfileField("tiktok").clean("@arepas_dm") == "https://www.tiktok.com/@arepas_dm"


def test_a_handle_with_spaces_is_refused_with_a_message():
    from django.core.exceptions import ValidationError

    from registry.forms import SocialProfileField

    with pytest.raises(ValidationError):
        SocialProfileField("instagram").clean("arepas doña maría")


@pytest.mark.django_db
def test_contact_step_takes_a_handle(draft_contact_data):
    form = OrganizationContactForm(data={**draft_contact_data, "instagram": "@arepasdonamaria"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["instagram"] == "https://www.instagram.com/arepasdonamaria/"


@pytest.fixture
def draft_contact_data():
    from registry.models import District

    return {"district": District.objects.get(code="comas").pk, "whatsapp": "987654321"}


@pytest.mark.django_db
def test_a_new_application_keeps_its_address_private_until_ticked(client):
    from django.urls import reverse

    from registry.models import Organization, Sector
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.post(
        reverse("registry:application_new"),
        {
            "kind": "business",
            "legal_form": "informal",
            "name": "Arepas Doña María",
            "sector": Sector.objects.get(code="gastronomia").pk,
            "short_description": "Arepas",
        },
    )
    assert response.status_code == 302
    organization = Organization.objects.get()
    assert organization.address_public is False
    contact = client.get(reverse("registry:wizard", args=[organization.pk, "contacto"]))
    box = re.search(r'<input[^>]*name="address_public"[^>]*>', contact.content.decode()).group(0)
    assert "checked" not in box


@pytest.mark.django_db
def test_a_new_application_does_not_choose_a_legal_form_for_the_applicant(client):
    from django.urls import reverse

    from tests.factories import UserFactory

    client.force_login(UserFactory())
    html = client.get(reverse("registry:application_new")).content.decode()
    radios = re.findall(r'<input[^>]*name="legal_form"[^>]*>', html)
    assert radios and not any("checked" in radio for radio in radios)
    chosen = client.get(reverse("registry:application_new") + "?legal_form=company").content.decode()
    assert re.search(r'<input[^>]*name="legal_form" value="company"[^>]*checked', chosen)
