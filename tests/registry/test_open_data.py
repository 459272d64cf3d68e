"""The open data states its licence everywhere it is offered, is written as dated daily
snapshots, and has a public page with the snapshots, the licence and the data dictionary."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from registry.importexport import dictionary, snapshots
from registry.importexport.tasks import snapshot_open_data_task
from registry.models import home_municipality
from tests.factories import PublishedOrganizationFactory

pytestmark = pytest.mark.django_db

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
ODBL = "https://opendatacommons.org/licenses/odbl/1-0/"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def listing(demo_site):
    return PublishedOrganizationFactory(name="Bodega Zuliana")


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def test_every_download_names_its_licence_in_a_link_header(client, listing):
    for path in (
        "/datos-abiertos/hsds.json",
        "/datos-abiertos/directorio.csv",
        "/datos-abiertos/directorio.xlsx",
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Link"] == f'<{CC_BY}>; rel="license"', path
        assert "Link" in response["Access-Control-Expose-Headers"]
        content(response)


def test_the_json_and_the_csv_carry_the_licence_in_the_file(client, listing):
    document = json.loads(content(client.get("/datos-abiertos/hsds.json")))
    assert document["license"] == {
        "id": "CC-BY-4.0",
        "name": "Creative Commons Atribución 4.0 Internacional",
        "url": CC_BY,
    }
    rows = list(
        csv.DictReader(io.StringIO(content(client.get("/datos-abiertos/directorio.csv")).decode("utf-8-sig")))
    )
    assert [(row["name"], row["licence"]) for row in rows] == [("Bodega Zuliana", "CC-BY-4.0")]


def test_the_licence_is_the_municipalitys_choice(client, listing, carmen):
    home = home_municipality()
    home.open_data_licence = "ODbL-1.0"
    home.save()
    PublishedOrganizationFactory(name="Cachapas del Callao", municipality=carmen)

    response = client.get("/datos-abiertos/directorio.csv")
    rows = list(csv.DictReader(io.StringIO(content(response).decode("utf-8-sig"))))

    assert response["Link"] == f'<{ODBL}>; rel="license"'
    assert {row["name"]: row["licence"] for row in rows} == {
        "Bodega Zuliana": "ODbL-1.0",
        "Cachapas del Callao": "CC-BY-4.0",
    }
    assert json.loads(content(client.get("/datos-abiertos/hsds.json")))["license"]["url"] == ODBL


def test_snapshots_are_dated_idempotent_and_kept(listing, media):
    out = io.StringIO()
    call_command("snapshot_open_data", "--date", "2026-11-29", stdout=out)
    assert "written" in out.getvalue()
    first = (media / "open-data/2026-11-29/hsds.json").read_bytes()
    assert json.loads(first)["contents"][0]["name"] == "Bodega Zuliana"
    rows = list(
        csv.DictReader(io.StringIO((media / "open-data/2026-11-29/directorio.csv").read_text("utf-8-sig")))
    )
    assert rows[0]["licence"] == "CC-BY-4.0"

    # Again the same day: nothing rewritten, no second file beside the first.
    PublishedOrganizationFactory(name="Arepera Nueva")
    out = io.StringIO()
    call_command("snapshot_open_data", "--date", "2026-11-29", stdout=out)
    assert "already there" in out.getvalue()
    assert (media / "open-data/2026-11-29/hsds.json").read_bytes() == first
    assert sorted(p.name for p in (media / "open-data/2026-11-29").iterdir()) == [
        "directorio.csv",
        "hsds.json",
    ]

    # The next day (the task writes today's) adds a folder; the past one stays.
    assert snapshot_open_data_task.enqueue().return_value.endswith("written")
    listed = snapshots.list_snapshots()
    assert [s.day for s in listed][-1] == date(2026, 11, 29)
    assert len(listed) == 2
    assert len(json.loads(default_storage.open(listed[0].files["hsds.json"]).read())["contents"]) == 2


def test_a_bad_date_is_refused(media):
    with pytest.raises(Exception, match="--date"):
        call_command("snapshot_open_data", "--date", "29/11/2026")


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/datos-abiertos/", ("Datos abiertos", "Diccionario de datos", "Licencia", "Significado")),
        ("/en/datos-abiertos/", ("Open data", "Data dictionary", "Licence", "Meaning")),
    ],
)
def test_the_open_data_page_lists_snapshots_the_licence_and_the_dictionary(
    client, listing, media, path, words
):
    snapshots.write_snapshot(day=date(2026, 11, 28))

    response = client.get(path)
    page = response.content.decode()

    assert response.status_code == 200
    for word in words:
        assert word in page
    # The licence in words, with its link.
    assert f'<a href="{CC_BY}" rel="license">Creative Commons' in page
    assert "(CC-BY-4.0)" in page
    assert "/media/open-data/2026-11-28/directorio.csv" in page
    assert "/media/open-data/2026-11-28/hsds.json" in page
    for url in (
        "/datos-abiertos/directorio.csv",
        "/datos-abiertos/directorio.xlsx",
        "/datos-abiertos/hsds.json",
    ):
        assert url in page
    for column in dictionary.CSV_COLUMNS:
        assert f"<code>{column.name}</code>" in page


def test_the_dictionary_names_every_column_of_the_csv(client, listing):
    header = next(
        csv.reader(io.StringIO(content(client.get("/datos-abiertos/directorio.csv")).decode("utf-8-sig")))
    )

    assert header == [entry.name for entry in dictionary.CSV_COLUMNS]
