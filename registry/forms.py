"""Forms of the applicant's side. Validation messages are translated; every field keeps what was
typed when another field has an error (Django's bound forms do that as long as views re-render
the bound form, which they all do)."""

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _
from modelcluster.forms import BaseChildFormSet, childformset_factory

from .models import (
    District,
    DocumentKind,
    DocumentType,
    Kind,
    LegalForm,
    Municipality,
    Organization,
    OrganizationStep,
    Person,
    StepStatus,
)
from .models.choices import legal_form_fits
from .models.organization import LANGUAGE_CHOICES, WEEKDAY_LABELS, WEEKDAYS
from .services.applications import handling_municipality, municipalities_covering
from .validators import validate_ruc

YES_NO_PROGRESS = [("no", _("No")), ("in_progress", _("In progress")), ("yes", _("Yes"))]

# Dates are typed in a date picker where the phone has one (it sends 2026-12-31) and by hand where
# it does not, the Peruvian way (31/12/2026).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d/%m/%y"]
BAD_DATE_MESSAGE = _("Write the date as day/month/year, for example 31/12/2026.")


class DatePickerInput(forms.DateInput):
    """A date picker that shows a date typed by hand (31/12/2026) again in the picker's own format,
    so an answer sent back with the form is not lost; what cannot be read is shown as typed."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, str):
            for input_format in DATE_INPUT_FORMATS:
                try:
                    return datetime.datetime.strptime(value.strip(), input_format).date().isoformat()
                except ValueError:
                    continue
            return value
        return super().format_value(value)


def expiry_date_field(**kwargs):
    return forms.DateField(
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=DatePickerInput(),
        error_messages={"invalid": BAD_DATE_MESSAGE},
        **kwargs,
    )


class StartForm(forms.Form):
    """ "Where do I start?": a few questions that give a personal formalization path."""

    kind = forms.ChoiceField(
        label=_("What do you want to register?"), choices=Kind.choices, widget=forms.RadioSelect
    )
    legal_form = forms.ChoiceField(
        label=_("How is it organized today?"), choices=LegalForm.choices, widget=forms.RadioSelect
    )
    migration_document = forms.ChoiceField(
        label=_("Which document do you have in Peru?"), choices=DocumentKind.choices, widget=forms.RadioSelect
    )
    document_expires_on = expiry_date_field(
        label=_("Until when is your document valid? (optional)"),
        help_text=_("The expiry date printed on it. A CPP lasts one year."),
    )
    has_ruc = forms.ChoiceField(
        label=_("Do you have a RUC?"), choices=YES_NO_PROGRESS, widget=forms.RadioSelect
    )
    has_licence = forms.ChoiceField(
        label=_("Do you have a municipal operating licence?"),
        choices=YES_NO_PROGRESS,
        widget=forms.RadioSelect,
        required=False,
    )
    has_statute = forms.ChoiceField(
        label=_("Does your organization have a statute?"),
        choices=YES_NO_PROGRESS,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Only for organizations and associations."),
    )
    has_sunarp = forms.ChoiceField(
        label=_("Is it registered at SUNARP (a company or an association with its partida)?"),
        choices=YES_NO_PROGRESS,
        widget=forms.RadioSelect,
        required=False,
    )

    def clean(self):
        data = super().clean()
        kind, legal_form = data.get("kind"), data.get("legal_form")
        if kind and legal_form and not legal_form_fits(kind, legal_form):
            self.add_error(
                "legal_form",
                _("This legal form does not fit a %(kind)s.") % {"kind": Kind(kind).label.lower()},
            )
        return data


class ListField(forms.CharField):
    """One item per line (or separated by ';') in a textarea; a list in the model."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        items = [item.strip() for line in text.splitlines() for item in line.split(";")]
        return [item for item in items if item][:30]


class OrganizationBasicsForm(forms.ModelForm):
    services = ListField(
        label=_("Services or products"),
        required=False,
        help_text=_("One per line, e.g. arepas, cachapas, delivery."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you serve in"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Organization
        fields = [
            "kind",
            "legal_form",
            "name",
            "sector",
            "short_description",
            "description",
            "services",
            "languages",
            "founded_year",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "legal_form": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "short_description": _("One sentence that appears on the directory card."),
            "name": _("The name people know you by."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].required = True
        self.fields["sector"].empty_label = _("Choose a sector")
        # Radios need no blank choice ("---------" read as an option); nothing chosen is an error.
        for name in ("kind", "legal_form"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]
        self.fields["name"].widget.attrs["autocomplete"] = "organization"

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 3:
            raise forms.ValidationError(_("The name must have at least 3 characters."))
        return name

    def clean(self):
        data = super().clean()
        kind, legal_form = data.get("kind"), data.get("legal_form")
        if kind and legal_form and not legal_form_fits(kind, legal_form):
            self.add_error(
                "legal_form",
                _("This legal form does not fit a %(kind)s.") % {"kind": Kind(kind).label.lower()},
            )
        return data


class OpeningHoursMixin:
    """One opening range per weekday in the form; the model keeps a list of ranges per day."""

    def _add_hours_fields(self):
        hours = self.instance.opening_hours or {}
        for day in WEEKDAYS:
            ranges = hours.get(day) or []
            opens, closes = ranges[0] if ranges else ("", "")
            self.fields[f"opens_{day}"] = forms.TimeField(
                label=_("%(day)s opens") % {"day": WEEKDAY_LABELS[day]},
                required=False,
                initial=opens,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"closes_{day}"] = forms.TimeField(
                label=_("%(day)s closes") % {"day": WEEKDAY_LABELS[day]},
                required=False,
                initial=closes,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )

    def _clean_hours(self, data):
        hours = {}
        for day in WEEKDAYS:
            opens, closes = data.get(f"opens_{day}"), data.get(f"closes_{day}")
            if opens and closes:
                if closes <= opens:
                    self.add_error(f"closes_{day}", _("The closing time must be after the opening time."))
                    continue
                hours[day] = [[opens.strftime("%H:%M"), closes.strftime("%H:%M")]]
            elif opens or closes:
                self.add_error(
                    f"closes_{day}" if opens else f"opens_{day}", _("Give both times, or neither.")
                )
        return hours

    def hours_rows(self):
        return [(WEEKDAY_LABELS[day], self[f"opens_{day}"], self[f"closes_{day}"]) for day in WEEKDAYS]


SOCIAL_PROFILES = {
    "facebook": "https://www.facebook.com/{}",
    "instagram": "https://www.instagram.com/{}/",
    "tiktok": "https://www.tiktok.com/@{}",
}
SOCIAL_HANDLE = re.compile(r"@?([A-Za-z0-9_.]{1,60})")


def social_profile_url(network, value):
    """A profile as people type it: "@arepasdonamaria", "arepasdonamaria" or a full address. A
    handle becomes the network's profile address; anything else is left to the URL check."""
    value = value.strip()
    handle = SOCIAL_HANDLE.fullmatch(value)
    if handle and (value.startswith("@") or "." not in value):
        return SOCIAL_PROFILES[network].format(handle.group(1))
    return value


class SocialProfileField(forms.URLField):
    """An address, or a handle turned into one before the URL check sees it."""

    widget = forms.TextInput  # "@user" is not a URL to the browser's own check

    def __init__(self, network, **kwargs):
        self.network = network
        super().__init__(assume_scheme="https", **kwargs)

    def to_python(self, value):
        if value and value.strip():
            value = social_profile_url(self.network, value)
        return super().to_python(value)


class OrganizationContactForm(OpeningHoursMixin, forms.ModelForm):
    """Where the applicant works and how to reach them; the district settles which municipality
    handles the registration (`registry.services.applications.handling_municipality`).

    Where several municipalities take registrations in the district, the applicant chooses among
    them (radios, the one of the site they are on chosen first). `preferred` is that site's
    municipality; `fixed` is true once the registration was sent, when it can no longer move."""

    municipality = forms.ModelChoiceField(
        label=_("Which municipality handles your registration?"),
        help_text=_(
            "Each municipality keeps its own registry. You can also register in the other one later."
        ),
        queryset=Municipality.objects.all(),
        required=False,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("That municipality is not on this portal. Choose one of those listed.")
        },
    )

    class Meta:
        model = Organization
        fields = [
            "district",
            "address",
            "address_public",
            "latitude",
            "longitude",
            "phone",
            "whatsapp",
            "email",
            "website",
            "facebook",
            "instagram",
            "tiktok",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "whatsapp": forms.TextInput(attrs={"type": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "latitude": forms.NumberInput(attrs={"step": "0.000001"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001"}),
        }
        help_texts = {
            "latitude": _("Optional. From a map app: press and hold on your place, copy the numbers."),
            "whatsapp": _("A mobile number. A number from abroad with its country code: +58 412 1234567."),
        }

    def __init__(self, *args, preferred: Municipality | None = None, fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.preferred = preferred
        self.fixed = fixed
        self.fields["district"].required = True
        self.fields["district"].empty_label = _("Choose your district")
        for network in SOCIAL_PROFILES:
            self.fields[network] = SocialProfileField(
                network,
                label=self.fields[network].label,
                required=False,
                max_length=200,
                help_text=_("Your @user or the address of your page."),
            )
        self._add_hours_fields()
        self._offer_municipalities(self._district_given())

    def _district_given(self) -> District | None:
        if not self.is_bound:
            return self.instance.district if self.instance.district_id else None
        try:
            return self.fields["district"].clean(self.data.get(self.add_prefix("district")))
        except forms.ValidationError:
            return None

    def _offer_municipalities(self, district):
        """The radios list the municipalities covering the district; none when there is no choice."""
        self.covering = municipalities_covering(district) if district else []
        field = self.fields["municipality"]
        field.widget.choices = [(m.pk, m.name) for m in self.covering]
        current = self.instance.municipality if self.instance.municipality_id else None
        field.initial = next(
            (m.pk for m in (current, self.preferred) if m is not None and m in self.covering), None
        )
        # Said in words when there is nothing to choose.
        if self.fixed:
            self.handling = current
        else:
            self.handling = self.covering[0] if len(self.covering) == 1 else None

    @property
    def offers_choice(self) -> bool:
        return not self.fixed and len(self.covering) > 1

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        if not (data.get("phone") or data.get("whatsapp") or data.get("email")):
            self.add_error("phone", _("Give at least one way to contact you (phone, WhatsApp or e-mail)."))
        self.cleaned_hours = self._clean_hours(data)
        self._clean_municipality(data)
        return data

    def _clean_municipality(self, data):
        district = data.get("district")
        if district is None or "municipality" in self.errors:
            return
        if self.fixed and district.pk == self.instance.district_id:
            return  # a sent registration keeps its district and its municipality
        self._offer_municipalities(district)
        current = self.instance.municipality if self.instance.municipality_id else None
        try:
            self.cleaned_municipality = handling_municipality(
                district=district,
                covering=self.covering,
                chosen=data.get("municipality"),
                fixed=current if self.fixed else None,
            )
        except forms.ValidationError as error:
            if error.code == "choose" or (error.code == "not_covering" and self.offers_choice):
                if error.code == "choose" and self.fields["municipality"].initial:
                    # The radios appear now, with the likeliest one ticked: one tap to go on.
                    self.data = self.data.copy()
                    self.data[self.add_prefix("municipality")] = self.fields["municipality"].initial
                self.add_error("municipality", error)
            else:
                self.add_error("district", error)

    def save(self, commit=True):
        self.instance.opening_hours = getattr(self, "cleaned_hours", {})
        if getattr(self, "cleaned_municipality", None) is not None:
            self.instance.municipality = self.cleaned_municipality
        return super().save(commit=commit)


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "role",
            "position",
            "full_name",
            "nationality",
            "document_type",
            "document_number",
            "document_expires_on",
            "phone",
            "email",
        ]
        help_texts = {
            "document_number": _(
                "Private: only municipal staff see it. Leave empty if you have no document yet."
            ),
        }

    document_expires_on = expiry_date_field(
        label=_("Document valid until"),
        help_text=_("The expiry date printed on the document, if it has one (a CPP lasts one year)."),
    )

    def clean(self):
        data = super().clean()
        if data.get("document_type") not in (None, DocumentKind.NONE) and not data.get("document_number"):
            self.add_error("document_number", _("Give the number of this document, or choose 'None yet'."))
        if data.get("document_type") == DocumentKind.NONE:
            data["document_number"] = ""
            data["document_expires_on"] = None
        return data


# Child formsets (modelcluster's, as Wagtail's InlinePanel uses) edit the people and steps of
# the applicant's working copy in memory: a draft saves them with its row, a registration puts
# them in the revision it proposes to staff.
PeopleFormSet = childformset_factory(
    Organization, Person, form=PersonForm, extra=1, can_delete=True, max_num=40, validate_max=True
)


class StepProgressForm(forms.ModelForm):
    valid_until = expiry_date_field(
        label=_("Valid until (optional)"),
        help_text=_("When what this step gave you expires, if it does (a licence, an ITSE certificate)."),
    )

    class Meta:
        model = OrganizationStep
        fields = ["status", "evidence_number", "valid_until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "Verified" is for staff only.
        self.fields["status"].choices = [c for c in StepStatus.choices if c[0] != StepStatus.VERIFIED]
        if self.instance.status == StepStatus.VERIFIED:
            self.fields["status"].disabled = True
            self.fields["status"].choices = StepStatus.choices
            self.fields["evidence_number"].disabled = True
            self.fields["valid_until"].disabled = True
        step = self.instance.step if self.instance.step_id else None
        if step is None:  # an id that is not one of this application's steps: the formset refuses it
            return
        self.fields["status"].label = step.label
        if step.code == "ruc":
            self.fields["evidence_number"].label = _("RUC number")
        elif step.code == "licencia":
            self.fields["evidence_number"].label = _("Licence number")
        elif "sunarp" in step.code or "constitucion" in step.code:
            self.fields["evidence_number"].label = _("SUNARP partida")
        else:
            self.fields["evidence_number"].label = _("Number or reference (optional)")

    def clean_evidence_number(self):
        value = self.cleaned_data["evidence_number"].strip()
        if value and self.instance.step_id and self.instance.step.code == "ruc":
            validate_ruc(value)
        return value


class BaseStepsFormSet(BaseChildFormSet):
    """The application's own steps, edited in place: none added, none taken from elsewhere."""

    def clean(self):
        super().clean()
        if any(form.instance.step_id is None for form in self.forms):
            raise forms.ValidationError(
                _("One of the steps sent is not part of this application. Reload the page and try again.")
            )


StepsFormSet = childformset_factory(
    Organization, OrganizationStep, form=StepProgressForm, formset=BaseStepsFormSet, extra=0
)


class DocumentUploadForm(forms.Form):
    document_type = forms.ChoiceField(label=_("Type of document"), choices=DocumentType.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    description = forms.CharField(label=_("Description (optional)"), max_length=200, required=False)


class SubmitForm(forms.Form):
    consent = forms.BooleanField(
        label=_("I have read and accept the processing of my personal data described above."),
        error_messages={"required": _("You must accept the personal data consent to submit.")},
    )


class AnswerObservationForm(SubmitForm):
    response = forms.CharField(
        label=_("What did you correct?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        help_text=_("Explain briefly what you changed in answer to the observation."),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of the person to invite"))


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account and my unsent drafts will be deleted and cannot be recovered."),
    )
