"""No CSV the portal writes holds a cell that a spreadsheet would run as a formula, however the
file is split (a ";" list separator in Spanish locales, "," elsewhere)."""

import csv
import io

import pytest
from django.contrib.auth.models import Group

from registry.importexport.services import export_chunks, export_queryset, export_resource
from registry.importexport.widgets import escape_formula
from tests.factories import PublishedOrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _dangerous_pieces(text: str) -> list[str]:
    found = []
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for cell in row:
            for separator in (";", ","):
                for piece in cell.split(separator):
                    for candidate in (piece, piece.lstrip(" ")):
                        if candidate.startswith(TRIGGERS) and not _number(candidate):
                            found.append(piece)
    return found


def _number(text):
    try:
        float(text.replace(" ", ""))
        return True
    except ValueError:
        return False


@pytest.fixture
def hostile(demo_site):
    listing = PublishedOrganizationFactory(
        name='=HYPERLINK("http://evil.example","ver")',
        services=["arepas", "=cmd|' /C calc'!A0", "@SUM(1+1)"],
        short_description="Comida, -2+3 y más;\t=1+1",
        phone="+51 987 654 321",
    )
    listing.save_revision().publish()
    return listing


def test_escape_formula_neutralises_every_piece():
    assert escape_formula("arepas;=cmd|' /C calc'!A0") == "arepas;'=cmd|' /C calc'!A0"
    assert escape_formula("=1+1") == "'=1+1"
    assert escape_formula("a;\t=1") == "a;'\t=1"
    assert escape_formula("a, @SUM(1)") == "a,' @SUM(1)"
    # Data that only looks numeric stays as it is.
    assert escape_formula("+51 987 654 321") == "+51 987 654 321"
    assert escape_formula("-12.05,-77.1") == "-12.05,-77.1"


def test_registry_and_public_csv_exports_hold_no_formula(hostile, client):
    private = b"".join(
        export_chunks(fmt="csv", queryset=export_queryset(), resource=export_resource())
    ).decode("utf-8")
    assert "cmd|" in private and "HYPERLINK" in private
    assert _dangerous_pieces(private) == []
    public = b"".join(client.get("/datos-abiertos/directorio.csv").streaming_content).decode("utf-8")
    assert "cmd|" in public
    assert _dangerous_pieces(public) == []


def test_wagtail_listing_export_of_organizations_holds_no_formula(hostile, client):
    reviewer = UserFactory(username="revisor")
    reviewer.groups.add(Group.objects.get(name="Revisores"))
    client.force_login(reviewer)
    response = client.get("/admin/snippets/registry/organization/?export=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert "HYPERLINK" in text
    assert _dangerous_pieces(text) == []
