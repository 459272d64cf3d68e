"""What the public forms offer: no "---------" as a choice, on the blank form or after a mistake."""

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
