"""The shared vocabulary of DESIGN.md, as data. Used by the first data migration and by
seed_demo; staff may add and relabel entries later, codes stay stable."""

import csv
from pathlib import Path

SECTORS = [
    ("gastronomia", "Gastronomía y alimentos", "Food and gastronomy"),
    ("comercio", "Comercio y bodegas", "Retail and corner shops"),
    ("belleza", "Belleza y cuidado personal", "Beauty and personal care"),
    ("textil", "Textil, costura y confección", "Textiles, sewing and tailoring"),
    ("tecnologia", "Tecnología y reparación", "Technology and repair"),
    ("transporte", "Transporte y reparto", "Transport and delivery"),
    ("construccion", "Construcción y mantenimiento", "Construction and maintenance"),
    ("salud", "Salud y bienestar", "Health and wellbeing"),
    ("educacion", "Educación y capacitación", "Education and training"),
    ("arte-cultura", "Arte, cultura y eventos", "Arts, culture and events"),
    ("servicios-profesionales", "Servicios profesionales", "Professional services"),
    ("turismo", "Turismo y hospedaje", "Tourism and lodging"),
    ("manufactura", "Manufactura y artesanía", "Manufacturing and crafts"),
    ("comunitario", "Organizaciones comunitarias y sociales", "Community and social organizations"),
    ("derechos", "Derechos y asesoría legal y migratoria", "Rights, legal and migration advice"),
]


def districts():
    path = Path(__file__).parent / "data" / "districts.csv"
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# The formalization path (see DESIGN.md's glossary). (code, kind, legal forms or [] for all,
# title es, title en, optional, evidence, evidence document type, summary)
FORMALIZATION_STEPS = [
    (
        "documento-migratorio",
        "business",
        [],
        "Documento migratorio (CPP o Carné de Extranjería)",
        "Migration document (CPP or foreigner's card)",
        False,
        "document",
        "identity",
        "Con el CPP o el Carné de Extranjería puedes obtener RUC y licencia. Si aún no lo tienes, "
        "puedes registrarte igual y te orientamos.",
    ),
    (
        "ruc",
        "business",
        ["sole_proprietor", "company", "cooperative", "informal"],
        "RUC en SUNAT y régimen tributario",
        "Tax ID (RUC) at SUNAT and tax regime",
        False,
        "number",
        "ruc",
        "Inscríbete en el RUC de SUNAT y elige tu régimen (NRUS, RER o RMT).",
    ),
    (
        "licencia",
        "business",
        ["sole_proprietor", "company", "cooperative", "informal"],
        "Licencia municipal de funcionamiento con ITSE",
        "Municipal operating licence with safety inspection (ITSE)",
        False,
        "number",
        "licence",
        "La municipalidad otorga la licencia (Ley 28976) junto con la inspección ITSE.",
    ),
    (
        "constitucion-empresa",
        "business",
        ["company", "cooperative"],
        "Constitución de empresa en SUNARP",
        "Company incorporation at SUNARP",
        True,
        "number",
        "",
        "Opcional: constituye una EIRL, SAC o SRL e inscríbela en SUNARP.",
    ),
    (
        "registro-portal-negocio",
        "business",
        [],
        "Registro en el portal municipal",
        "Registration in the municipal portal",
        False,
        "none",
        "",
        "Envía tu solicitud; el personal municipal la revisa y te asigna un número de registro.",
    ),
    (
        "asamblea-fundacion",
        "organization",
        [],
        "Asamblea de fundación y acta",
        "Founding assembly and minutes",
        False,
        "document",
        "founding_minutes",
        "Reúnanse, acuerden fundar la organización y firmen el acta de fundación.",
    ),
    (
        "estatuto",
        "organization",
        [],
        "Estatuto y acta de aprobación",
        "Statute and its approval minutes",
        False,
        "document",
        "statute",
        "Redacten y aprueben el estatuto: fines, órganos, derechos y deberes de los socios.",
    ),
    (
        "eleccion-directiva",
        "organization",
        [],
        "Elección de la junta directiva",
        "Board election",
        False,
        "document",
        "board_minutes",
        "Elijan a la junta directiva y registren el acta de elección.",
    ),
    (
        "padron-socios",
        "organization",
        [],
        "Padrón de socios",
        "Member list (padrón)",
        False,
        "document",
        "member_list",
        "Lista de socios con nombre y firma; los documentos de identidad quedan en privado.",
    ),
    (
        "inscripcion-sunarp",
        "organization",
        ["association", "foundation", "cooperative"],
        "Inscripción en SUNARP",
        "Registration at SUNARP",
        True,
        "number",
        "",
        "Opcional: inscriban la asociación en Registros Públicos y obtengan su partida.",
    ),
    (
        "registro-organizaciones-civiles",
        "organization",
        [],
        "Registro Municipal de Organizaciones Civiles (RUOS)",
        "Municipal Civil Organizations Registry (RUOS)",
        False,
        "document",
        "premises_sketch",
        "Con el croquis del local y el ámbito de acción, soliciten la inscripción que abre la puerta al "
        "presupuesto participativo.",
    ),
    (
        "registro-portal-organizacion",
        "organization",
        [],
        "Registro en el portal municipal",
        "Registration in the municipal portal",
        False,
        "none",
        "",
        "Envíen la solicitud; el personal la revisa y asigna un número de registro.",
    ),
]

# The steps' summaries in English, by code (a mapping of its own: FORMALIZATION_STEPS keeps the
# shape its data migration reads).
FORMALIZATION_STEP_SUMMARIES_EN = {
    "documento-migratorio": "With the CPP or the foreigner's card (Carné de Extranjería) you can get a RUC and "
    "a licence. If you do not have one yet, you can still register and we will guide you.",
    "ruc": "Register for the RUC at SUNAT and choose your tax regime (NRUS, RER or RMT).",
    "licencia": "The municipality grants the operating licence (Ley 28976) together with the ITSE safety "
    "inspection.",
    "constitucion-empresa": "Optional: incorporate an EIRL, SAC or SRL and register it at SUNARP.",
    "registro-portal-negocio": "Send your application; municipal staff review it and give you a registry "
    "number.",
    "asamblea-fundacion": "Meet, agree to found the organization and sign the founding minutes.",
    "estatuto": "Write and approve the statute: purposes, governing bodies, members' rights and duties.",
    "eleccion-directiva": "Elect the board and record the election minutes.",
    "padron-socios": "List of members with name and signature; identity documents stay private.",
    "inscripcion-sunarp": "Optional: register the association at the Public Registries and get its record "
    "number (partida).",
    "registro-organizaciones-civiles": "With the sketch of the premises and the area of action, apply for "
    "the registration that opens the door to participatory budgeting.",
    "registro-portal-organizacion": "Send the application; staff review it and give a registry number.",
}

OBSERVATION_REASONS = [
    ("documento-ilegible", "Documento ilegible o incompleto", "Document unreadable or incomplete"),
    ("documento-faltante", "Falta un documento obligatorio", "A required document is missing"),
    ("datos-no-coinciden", "Los datos no coinciden con los documentos", "Data does not match the documents"),
    ("ruc-invalido", "RUC no activo o no coincide", "RUC not active or does not match"),
    ("direccion", "Dirección o distrito por precisar", "Address or district to be clarified"),
    ("descripcion", "Descripción insuficiente de la actividad", "Activity description insufficient"),
    ("junta-directiva", "Junta directiva o padrón incompleto", "Board or member list incomplete"),
    ("otro", "Otro motivo", "Other reason"),
]

# Local steps of the demo municipalities, by ubigeo: what a municipality writes for itself in the
# admin (registry.formalization.add_local_steps loads them for seed_demo and the tests). Each
# replaces the national step of the same code there. The procedure follows Ley 28976 (TUO,
# D.S. 163-2020-PCM: at most four working days for low and medium risk, with the ITSE after the
# licence); the cost and the office are illustrative demo values, not a municipality's TUPA.
LOCAL_FORMALIZATION_STEPS = {
    "070103": [
        {
            "code": "licencia",
            "title": "Licencia de funcionamiento en Carmen de la Legua Reynoso",
            "title_en": "Operating licence in Carmen de la Legua Reynoso",
            "summary": "La Municipalidad de Carmen de la Legua otorga la licencia de funcionamiento para "
            "locales de riesgo bajo o medio; la inspección ITSE se hace después de otorgada.",
            "summary_en": "The Municipality of Carmen de la Legua grants the operating licence for low and "
            "medium risk premises; the ITSE safety inspection comes after it is granted.",
            "cost": "S/ 98.50 (riesgo bajo o medio)",
            "processing_time": "Hasta 4 días hábiles",
            "office": "Plataforma de atención al vecino, Palacio Municipal de Carmen de la Legua Reynoso "
            "(lunes a viernes, de 8:00 a 16:30)",
            "requirements": "Solicitud con carácter de declaración jurada\n"
            "Número de RUC y documento de identidad del titular (DNI, CPP o Carné de Extranjería)\n"
            "Declaración jurada de cumplimiento de las condiciones de seguridad\n"
            "Pago de la tasa",
        },
    ],
}
