"""Reading a directory query from a URL, and the "report a problem" form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import ListingReport

from .query import DirectoryQuery, Sort


def _float(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN is not a coordinate


def listed(params, name: str) -> tuple[str, ...]:
    """A parameter's values, given repeated (a=1&a=2) or comma-separated (a=1,2)."""
    return tuple(code.strip() for value in params.getlist(name) for code in value.split(",") if code.strip())


def query_from_params(params, *, page_size: int = 20, municipalities=None) -> DirectoryQuery:
    """The query a directory URL describes. Bad values are ignored rather than refused: a link
    that someone shared should still show something. `municipalities`: the ubigeo codes the
    `municipality` filter accepts (others are dropped)."""
    lat, lon = _float(params.get("lat")), _float(params.get("lon"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        lat = lon = None
    radius = _float(params.get("radius_km"))
    try:
        page = int(params.get("page") or 1)
    except ValueError:
        page = 1
    return DirectoryQuery(
        text=params.get("q", ""),
        kind=tuple(params.getlist("kind")),
        sector=tuple(params.getlist("sector")),
        district=tuple(params.getlist("district")),
        language=tuple(params.getlist("language")),
        municipality=tuple(
            code
            for code in listed(params, "municipality")
            if municipalities is None or code in municipalities
        ),
        badges=tuple(params.getlist("badge")),
        open_now=params.get("open_now") in {"1", "on", "true"},
        lat=lat,
        lon=lon,
        radius_km=(radius or 2.0) if lat is not None else None,
        sort=params.get("sort") or Sort.RELEVANCE,
        page=page,
        page_size=page_size,
    )


class ListingReportForm(forms.ModelForm):
    # Left empty by people, filled in by bots: a filled one is dropped without a word.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    class Meta:
        model = ListingReport
        fields = ["reason", "message", "contact_email"]
        widgets = {"message": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The empty choice says what to do rather than "---------".
        self.fields["reason"].choices = [
            ("", _("Choose a reason")),
            *(c for c in self.fields["reason"].choices if c[0]),
        ]
