"""Read an uploaded registry file (CSV, XLSX, JSON) into headers and rows of cells.

tablib, which django-import-export uses, refuses a whole CSV when one row has more values than
the header and guesses neither encoding nor delimiter. Staff bring spreadsheets saved by Excel
in Spanish (Latin-1 or Windows-1252, ";" as separator) and by LibreOffice or Google Sheets
(UTF-8, with or without BOM, ","), so this module reads them itself and reports a ragged row as
that row's error; the rows then go to the resource as a tablib Dataset.
"""

import csv
import io
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from ..models.taxonomy import fold
from .widgets import cell_text

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

# Spanish headers as municipal spreadsheets write them, folded (no accents, lower case).
HEADER_ALIASES = {
    "numero_registro": "registry_number",
    "numero de registro": "registry_number",
    "n de registro": "registry_number",
    "nombre": "name",
    "razon social": "name",
    "tipo": "kind",
    "forma_juridica": "legal_form",
    "forma juridica": "legal_form",
    "rubro": "sector",
    "distrito": "district",
    "direccion": "address",
    "direccion_publica": "address_public",
    "direccion publica": "address_public",
    "latitud": "latitude",
    "longitud": "longitude",
    "telefono": "phone",
    "celular": "phone",
    "correo": "email",
    "correo electronico": "email",
    "web": "website",
    "pagina web": "website",
    "sitio web": "website",
    "descripcion": "description",
    "servicios": "services",
    "productos": "services",
    "idiomas": "languages",
    "anio_fundacion": "founded_year",
    "ano de fundacion": "founded_year",
    "año de fundacion": "founded_year",
}

FORMATS = ("csv", "xlsx", "json")


class FileRefused(Exception):
    """The file as a whole cannot be imported; ``messages`` say why, for staff."""

    def __init__(self, *messages):
        super().__init__(" ".join(str(m) for m in messages))
        self.messages = [str(m) for m in messages]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    # Row problems found while reading, by row number (1 = first data row): [(column, message)].
    problems: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    # Where each row starts in the file (a CSV cell may span lines), for messages.
    lines: list[int] = field(default_factory=list)
    format: str = "csv"
    encoding: str = ""
    delimiter: str = ""


def max_rows() -> int:
    return int(getattr(settings, "REGISTRY_IMPORT_MAX_ROWS", 25_000))


def max_bytes() -> int:
    return int(getattr(settings, "REGISTRY_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def canonical_header(name) -> str:
    text = fold(cell_text(name)).lstrip("\ufeff")
    if text in COLUMNS:
        return text
    return HEADER_ALIASES.get(text) or HEADER_ALIASES.get(text.replace("_", " ")) or text


def detect_format(data: bytes, file_name: str = "") -> str:
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if suffix in FORMATS:
        return suffix
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: a BOM decides; otherwise UTF-8 if it is valid UTF-8,
    else Windows-1252 (what Excel on Windows calls "Latin-1"), else ISO-8859-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FileRefused(_("The file's characters could not be read."))  # latin-1 never fails


def sniff_delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _too_many_rows(count: int) -> FileRefused:
    return FileRefused(
        _("The file has more than %(limit)s rows (%(count)s or more). Split it into smaller files.")
        % {"limit": f"{max_rows():,}", "count": f"{count:,}"}
    )


def _finish(table: Table) -> Table:
    if not table.headers or not any(table.headers):
        raise FileRefused(_("The file is empty."))
    unknown = [h for h in table.headers if h not in COLUMNS]
    if unknown:
        raise FileRefused(
            _("Unknown columns: %(columns)s. The columns are: %(expected)s.")
            % {"columns": ", ".join(f"“{h}”" for h in unknown), "expected": ", ".join(COLUMNS)}
        )
    duplicated = sorted({h for h in table.headers if table.headers.count(h) > 1})
    if duplicated:
        raise FileRefused(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(duplicated)})
    if "registry_number" not in table.headers and "name" not in table.headers:
        raise FileRefused(_("The file needs a registry_number column, a name column, or both."))
    if not table.rows:
        raise FileRefused(_("The file has a header but no rows."))
    return table


def read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    if not text.strip():
        raise FileRefused(_("The file is empty."))
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = Table(headers=[], rows=[], format="csv", encoding=encoding, delimiter=delimiter)
    limit = max_rows()
    for values in reader:
        if not table.headers:
            if any(v.strip() for v in values):
                table.headers = [canonical_header(v) for v in values]
                while table.headers and not table.headers[-1]:
                    table.headers.pop()
            continue
        if not any(v.strip() for v in values):
            continue
        number = len(table.rows) + 1
        if number > limit:
            raise _too_many_rows(number)
        width = len(table.headers)
        if len(values) > width and any(v.strip() for v in values[width:]):
            table.problems[number] = [
                (
                    "",
                    _("This row has %(count)s values but the header has %(width)s columns.")
                    % {"count": len(values), "width": width},
                )
            ]
        table.rows.append((values + [""] * width)[:width])
        table.lines.append(reader.line_num)
    return _finish(table)


def read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:
        raise FileRefused(_("This is not a readable XLSX workbook.")) from error
    sheet = workbook.worksheets[0]
    table = Table(headers=[], rows=[], format="xlsx")
    limit = max_rows()
    for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [cell_text(v) for v in values]
        if not table.headers:
            if any(cells):
                table.headers = [canonical_header(v) for v in cells]
                while table.headers and not table.headers[-1]:
                    table.headers.pop()
            continue
        if not any(cells):
            continue
        number = len(table.rows) + 1
        if number > limit:
            workbook.close()
            raise _too_many_rows(number)
        width = len(table.headers)
        if any(cells[width:]):
            table.problems[number] = [
                (
                    "",
                    _("This row has values beyond the last column of the header (column %(width)s).")
                    % {"width": width},
                )
            ]
        table.rows.append((cells + [""] * width)[:width])
        table.lines.append(line)
    workbook.close()
    return _finish(table)


def read_json(data: bytes) -> Table:
    text, encoding = decode(data)
    if not text.strip():
        raise FileRefused(_("The file is empty."))
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileRefused(
            _("This is not valid JSON (line %(line)s: %(reason)s).")
            % {"line": error.lineno, "reason": error.msg}
        ) from None
    if isinstance(payload, dict):
        payload = payload.get("organizations", payload.get("results"))
    if not isinstance(payload, list):
        raise FileRefused(_("The JSON file must be a list of objects, one per organization."))
    if len(payload) > max_rows():
        raise _too_many_rows(len(payload))
    headers = []
    for item in payload:
        if not isinstance(item, dict):
            raise FileRefused(_("The JSON file must be a list of objects, one per organization."))
        for key in item:
            name = canonical_header(key)
            if name not in headers:
                headers.append(name)
    table = Table(headers=headers, rows=[], format="json", encoding=encoding)
    for number, item in enumerate(payload, start=1):
        cells = {canonical_header(k): v for k, v in item.items()}
        # Lists (services, languages) and numbers keep their type: the widgets read both.
        table.rows.append([cells.get(h, "") if cells.get(h) is not None else "" for h in headers])
        table.lines.append(number)
    return _finish(table)


def read_table(data: bytes, file_name: str = "") -> Table:
    if len(data) > max_bytes():
        raise FileRefused(
            _("The file is larger than %(limit)s MB.") % {"limit": max_bytes() // (1024 * 1024)}
        )
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    kind = detect_format(data, file_name)
    return {"csv": read_csv, "xlsx": read_xlsx, "json": read_json}[kind](data)
