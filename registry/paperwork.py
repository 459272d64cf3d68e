"""Paperwork drafted from an organization's data: the placeholder language of the templates, the
data they may name, and the draft (title and blocks) that registry.paperwork_files prints as PDF
and DOCX.

Staff write the templates (registry.models.PaperworkTemplate). They are filled with
`string.Template` placeholders (`$nombre`, `${representante}`) over a plain dict of the fields
listed in PLACEHOLDERS, not with Django's template engine over model objects: a template that
staff can edit and that is rendered with the organization (or a person) in its context could
walk to any attribute or relation (`{{ organization.memberships.all.0.user.email }}`), other
people's data, or load tags; here a template can name only the fields below, each a string
already chosen for the document, and an unknown name is refused when the template is saved.

The drafted documents are Spanish legal texts for a Peruvian municipality and SUNARP whatever
the applicant's language, so their labels (table headers, document names) are written in
Spanish here, like the seeded template texts, not translated.
"""

import string
from dataclasses import dataclass, field
from datetime import date

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import LegalForm, PaperworkKind, PaperworkTemplate, PersonRole
from .phones import display as display_phone

# What the templates may name, with the help staff see. Tables are the list-valued ones.
PLACEHOLDERS = {
    "nombre": "nombre de la organización",
    "forma_juridica": "forma jurídica (asociación, fundación…)",
    "fines": "fines u objeto de la organización (su descripción)",
    "direccion": "dirección",
    "distrito": "distrito",
    "municipalidad": "nombre de la municipalidad",
    "municipalidad_corta": "nombre corto de la municipalidad",
    "ciudad": "lugar de firma",
    "fecha": "fecha de hoy, en letras",
    "ano_fundacion": "año de fundación",
    "ruc": "RUC",
    "partida_sunarp": "partida registral en SUNARP",
    "telefono": "teléfono de la organización",
    "correo": "correo electrónico de la organización",
    "representante": "nombre del representante",
    "representante_documento": "documento del representante (tipo y número)",
    "representante_cargo": "cargo del representante",
    "representante_nacionalidad": "nacionalidad del representante",
    "presidente": "nombre de quien preside el consejo directivo",
    "secretario": "nombre de quien es secretario o secretaria",
    "tesorero": "nombre de quien es tesorero o tesorera",
    "numero_miembros": "número de miembros",
    "consejo_directivo": "tabla: cargos y nombres del consejo directivo",
    "miembros": "tabla: padrón de miembros con documento y firma",
    "firmas_consejo": "tabla: firmas del consejo directivo",
}
TABLE_PLACEHOLDERS = {"consejo_directivo", "miembros", "firmas_consejo"}
# Printed where the data is missing, so that the printed form has a line to fill in by hand.
BLANK = "____________________"

# Short Spanish names of identity documents, as a Peruvian office writes them.
DOCUMENT_NAMES = {
    "dni": "DNI",
    "ce": "Carné de Extranjería",
    "cpp": "CPP",
    "ptp": "PTP",
    "passport": "Pasaporte",
    "refugee": "Carné de solicitante de refugio",
    "none": "Sin documento",
}
LEGAL_FORM_NAMES = {
    LegalForm.ASSOCIATION: "asociación civil sin fines de lucro",
    LegalForm.FOUNDATION: "fundación",
    LegalForm.COOPERATIVE: "cooperativa",
    LegalForm.COMMUNITY_GROUP: "organización social",
    LegalForm.INFORMAL: "organización social",
}


class _Placeholders(string.Template):
    # Names as staff type them: lower case letters, digits and underscores.
    idpattern = r"[a-z][a-z0-9_]*"
    flags = 0


def placeholder_problems(text: str) -> list[str]:
    """What is wrong with a template's placeholders, as messages for the person editing it."""
    template = _Placeholders(text)
    problems = []
    if not template.is_valid():
        problems.append(
            _("A “$” must start a placeholder such as $nombre or ${nombre}; write $$ for a dollar sign.")
        )
    unknown = sorted({name for name in _identifiers(template) if name not in PLACEHOLDERS})
    if unknown:
        problems.append(
            _("Unknown placeholder: %(names)s. The placeholders you can use are: %(known)s.")
            % {
                "names": ", ".join(f"${name}" for name in unknown),
                "known": ", ".join(f"${name}" for name in PLACEHOLDERS),
            }
        )
    return problems


def _identifiers(template: string.Template) -> list[str]:
    """Placeholder names, also in a template whose other `$` are malformed (get_identifiers
    raises on those; the names around them are still worth reporting)."""
    names = []
    for match in template.pattern.finditer(template.template):
        name = match.group("named") or match.group("braced")
        if name:
            names.append(name)
    return names


# ----- the data a template is filled with -----------------------------------------------------


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    # Relative widths of the columns (the signature column is wide enough to sign in).
    widths: list[int]

    def as_text(self) -> str:
        return "; ".join(", ".join(cell for cell in row if cell) for row in self.rows) or BLANK


@dataclass
class PaperworkData:
    values: dict[str, str]
    tables: dict[str, Table]

    def mapping(self) -> dict[str, str]:
        text = {name: value or BLANK for name, value in self.values.items()}
        text.update({name: table.as_text() for name, table in self.tables.items()})
        return text


@dataclass
class Draft:
    title: str
    # ("heading", text), ("paragraph", text) or ("table", Table)
    blocks: list[tuple[str, object]] = field(default_factory=list)

    def text(self) -> str:
        """All the words of the draft, for search in tests and for a plain preview."""
        parts = [self.title]
        for kind, content in self.blocks:
            if kind == "table":
                parts.append(" ".join(content.header))
                parts.extend(" ".join(row) for row in content.rows)
            else:
                parts.append(content)
        return "\n".join(parts)


@dataclass
class _Person:
    """The few facts of a person a document prints (never phone or e-mail)."""

    full_name: str
    role: str
    position: str = ""
    nationality: str = ""
    document_type: str = "none"
    document_number: str = ""

    @property
    def document_name(self) -> str:
        return DOCUMENT_NAMES.get(self.document_type, "")

    @property
    def document(self) -> str:
        if not self.document_number:
            return ""
        return f"{self.document_name} N.º {self.document_number}"


def _spanish_date(day: date) -> str:
    with override("es"):
        return formats.date_format(day, r"j \d\e F \d\e Y")


def _position(people: list[_Person], *stems: str) -> str:
    for person in people:
        if any(stem in person.position.lower() for stem in stems):
            return person.full_name
    return ""


def _context(*, organization_values: dict[str, str], people: list[_Person], today: date) -> PaperworkData:
    representative = next((p for p in people if p.role == PersonRole.REPRESENTATIVE), None)
    board = [p for p in people if p.role == PersonRole.BOARD_MEMBER]
    members, seen = [], set()
    for person in people:
        key = (person.document_type, person.document_number.strip().upper(), person.full_name.strip().lower())
        if key not in seen:
            seen.add(key)
            members.append(person)
    values = dict(organization_values)
    values.update(
        {
            "fecha": _spanish_date(today),
            "representante": representative.full_name if representative else "",
            "representante_documento": representative.document if representative else "",
            "representante_cargo": (representative.position or "representante") if representative else "",
            "representante_nacionalidad": representative.nationality if representative else "",
            "presidente": _position(board, "presiden"),
            "secretario": _position(board, "secretari"),
            "tesorero": _position(board, "tesor"),
            "numero_miembros": str(len(members)),
        }
    )
    tables = {
        "consejo_directivo": Table(
            header=["Cargo", "Nombre completo", "Documento", "Número"],
            rows=[[p.position or "Miembro", p.full_name, p.document_name, p.document_number] for p in board],
            widths=[3, 5, 3, 3],
        ),
        "firmas_consejo": Table(
            header=["Cargo", "Nombre completo", "Documento", "Firma"],
            rows=[[p.position or "Miembro", p.full_name, p.document, ""] for p in board],
            widths=[3, 5, 4, 4],
        ),
        "miembros": Table(
            header=["N.º", "Nombre completo", "Documento", "Número", "Firma"],
            rows=[
                [str(n), p.full_name, p.document_name, p.document_number, ""]
                for n, p in enumerate(members, start=1)
            ],
            widths=[1, 5, 3, 3, 4],
        ),
    }
    return PaperworkData(values=values, tables=tables)


def organization_context(organization, *, today: date | None = None) -> PaperworkData:
    """The data of `organization` (with its people, as the applicant last saved them) that the
    templates may name."""
    municipality = organization.municipality
    people = [
        _Person(
            full_name=p.full_name,
            role=p.role,
            position=p.position,
            nationality=p.nationality,
            document_type=p.document_type,
            document_number=p.document_number,
        )
        for p in organization.people.all()
    ]
    values = {
        "nombre": organization.name,
        "forma_juridica": LEGAL_FORM_NAMES.get(organization.legal_form, "organización social"),
        "fines": organization.description or organization.short_description,
        "direccion": organization.address,
        "distrito": organization.district.name if organization.district_id else "",
        "municipalidad": municipality.name if municipality else "",
        "municipalidad_corta": municipality.short_name if municipality else "",
        "ciudad": municipality.short_name if municipality else "",
        "ano_fundacion": str(organization.founded_year or ""),
        "ruc": organization.ruc,
        "partida_sunarp": organization.sunarp_partida,
        "telefono": display_phone(organization.phone) if organization.phone else "",
        "correo": organization.email,
    }
    return _context(organization_values=values, people=people, today=today or timezone.localdate())


def sample_context(municipality=None) -> PaperworkData:
    """A fictional organization, for the preview of a template: staff editing a text never see a
    real applicant's data there."""
    people = [
        _Person(
            "Ana María Rojas Pérez", PersonRole.REPRESENTATIVE, "Presidenta", "venezolana", "cpp", "000111222"
        ),
        _Person(
            "Ana María Rojas Pérez", PersonRole.BOARD_MEMBER, "Presidenta", "venezolana", "cpp", "000111222"
        ),
        _Person(
            "Luis Alberto Gómez Díaz", PersonRole.BOARD_MEMBER, "Secretario", "colombiana", "ce", "000333444"
        ),
        _Person("Carmen Quispe Huamán", PersonRole.BOARD_MEMBER, "Tesorera", "peruana", "dni", "00555666"),
        _Person("José Ramón Silva", PersonRole.MEMBER, "", "venezolana", "passport", "000777888"),
    ]
    values = {
        "nombre": "Asociación de Ejemplo Manos Unidas",
        "forma_juridica": LEGAL_FORM_NAMES[LegalForm.ASSOCIATION],
        "fines": "Promover la integración de las familias migrantes y refugiadas del distrito.",
        "direccion": "Av. Ejemplo 123",
        "distrito": "Cercado de Lima",
        "municipalidad": municipality.name if municipality else "Municipalidad de Ejemplo",
        "municipalidad_corta": municipality.short_name if municipality else "Ejemplo",
        "ciudad": municipality.short_name if municipality else "Lima",
        "ano_fundacion": str(timezone.localdate().year),
        "ruc": "",
        "partida_sunarp": "",
        "telefono": "987 654 321",
        "correo": "contacto@example.org",
    }
    return _context(organization_values=values, people=people, today=timezone.localdate())


# ----- templates and drafts -------------------------------------------------------------------


def kinds_for(organization) -> list[str]:
    """The documents drafted for an organization: the minutes of its founding assembly, or of
    its board's election once it is inscribed in SUNARP (it has a partida)."""
    minutes = PaperworkKind.BOARD_MINUTES if organization.sunarp_partida else PaperworkKind.FOUNDING_MINUTES
    return [PaperworkKind.APPLICATION_LETTER, minutes, PaperworkKind.MEMBER_LIST, PaperworkKind.STATUTE]


def template_for(kind: str, municipality) -> PaperworkTemplate:
    """The municipality's own text for this kind, else the default one, else the built-in
    default (an installation whose staff deleted it still drafts)."""
    from .paperwork_defaults import DEFAULT_TEMPLATES

    candidates = PaperworkTemplate.objects.filter(kind=kind, municipality__isnull=True)
    if municipality is not None:
        candidates = PaperworkTemplate.objects.filter(kind=kind, municipality=municipality) | candidates
    chosen = sorted(candidates, key=lambda t: t.municipality_id is None)
    if chosen:
        return chosen[0]
    title, body = DEFAULT_TEMPLATES[kind]
    return PaperworkTemplate(kind=kind, municipality=None, title=title, body=body)


def draft_from_template(template: PaperworkTemplate, data: PaperworkData) -> Draft:
    mapping = data.mapping()
    draft = Draft(title=_Placeholders(template.title).safe_substitute(mapping))
    for paragraph in template.body.replace("\r\n", "\n").split("\n\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        name = paragraph.removeprefix("$").strip("{}")
        if paragraph in {f"${name}", f"${{{name}}}"} and name in TABLE_PLACEHOLDERS:
            draft.blocks.append(("table", data.tables[name]))
        elif paragraph.startswith("# "):
            draft.blocks.append(("heading", _Placeholders(paragraph[2:].strip()).safe_substitute(mapping)))
        else:
            draft.blocks.append(("paragraph", _Placeholders(paragraph).safe_substitute(mapping)))
    return draft


def draft(kind: str, organization, *, today: date | None = None) -> Draft:
    return draft_from_template(
        template_for(kind, organization.municipality), organization_context(organization, today=today)
    )
