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
# replaces the national step of the same code there. The procedure follows Ley 28976 (the ITSE
# after the licence for low and medium risk, D.S. 002-2018-PCM); the cost, the time and the office
# are illustrative demo values, not a municipality's TUPA, and the step says so.
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
            "confirmed": False,
            "unconfirmed_note": "El costo, el plazo y la oficina son valores de demostración, no los del TUPA de la "
            "Municipalidad de Carmen de la Legua Reynoso.",
        },
    ],
}

# The rules of each national step as read from official (and, where no official page was found,
# other) sources, by code: what registry/migrations/0020 writes into the seeded steps and
# docs/formalization-sources.md lists. `confirmed` is True only where the rule was read on an
# official page; `unconfirmed_note` says what was not, and the public page shows it.
_RUOS_LIMA = (
    "Ordenanza N.° 1762-2013-MML (Lima Metropolitana), modificada por la Ordenanza N.° 2363-2021; "
    "cada municipalidad distrital aplica su propia ordenanza del RUOS"
)
_RUOS_SOURCES = "http://ruos.gpvlima.com/\nhttps://busquedas.elperuano.pe/api/visor_html/1964775-3"
_RUOS_NOTE = (
    "Requisito del Registro Único de Organizaciones Sociales de Lima Metropolitana; el de tu "
    "municipalidad distrital puede pedir algo distinto (Callao, por ejemplo, pide además los libros "
    "de actas y padrón legalizados por notario)."
)
FORMALIZATION_STEP_RULES = {
    "documento-migratorio": {
        "sort_order": 0,
        "legal_basis": "Decreto Legislativo N.° 1350, de Migraciones; Decreto Supremo N.° 003-2023-IN y "
        "Resolución de Superintendencia N.° 000109-2023-MIGRACIONES (Permiso Temporal de Permanencia)",
        "source_urls": "https://andina.pe/agencia/noticia-eres-extranjero-como-regularizar-tu-situacion-"
        "migratoria-antes-del-10-noviembre-956729.aspx\n"
        "http://portal.rree.gob.pe/Refugiados/SitePages/cartayautorizacion.aspx",
        "confirmed": False,
        "unconfirmed_note": "No encontramos la página oficial de Migraciones con el trámite vigente: el "
        "último plazo de regularización que vimos publicado venció el 10 de noviembre de 2023. El costo, "
        "el plazo y si hoy se puede pedir el CPP no están confirmados; pregunta en Migraciones o en la "
        "oficina de atención al migrante.",
        "office": "Superintendencia Nacional de Migraciones: solicitud en la Agencia Digital y cita "
        "presencial para la toma de huellas y foto",
        "requirements": "Copia del pasaporte u otro documento de identidad de tu país\n"
        "Declaración jurada de no tener antecedentes penales, policiales ni judiciales\n"
        "Pago del derecho de trámite\n"
        "Cita para registrar tus datos biométricos",
        "accepted_documents": [],
        "prerequisites": [],
    },
    "constitucion-empresa": {
        "sort_order": 1,
        "optional": False,
        "legal_basis": "Registro de Personas Jurídicas de SUNARP; con la constitución por SID-SUNARP, "
        "SUNAT inscribe el RUC de la empresa (Resolución de Superintendencia N.° 086-2020/SUNAT)",
        "source_urls": "https://scr.sunarp.gob.pe/faq/constitucion-de-sociedad-por-pasos/page/2/?et_blog",
        "confirmed": False,
        "unconfirmed_note": "SUNARP confirma la búsqueda de nombre (S/ 5.00) y la reserva por 30 días; no "
        "confirmamos los derechos registrales ni notariales de la constitución, ni si un socio extranjero "
        "puede firmar solo con pasaporte.",
        "cost": "Búsqueda de nombre S/ 5.00; derechos notariales y registrales aparte",
        "office": "SUNARP (Registro de Personas Jurídicas) y una notaría",
        "requirements": "Búsqueda y reserva del nombre (recomendada, no obligatoria)\n"
        "Pacto social y estatuto (minuta)\n"
        "Escritura pública ante notario\n"
        "Documento de identidad de cada socio",
        "accepted_documents": [],
        "prerequisites": [],
    },
    "ruc": {
        "sort_order": 2,
        "legal_basis": "Decreto Legislativo N.° 943, Ley del Registro Único de Contribuyentes; Resolución "
        "de Superintendencia N.° 210-2004/SUNAT (inscripción), modificada por la N.° 208-2016/SUNAT (quien "
        "no se identifica con DNI exhibe su documento y entrega una copia)",
        "source_urls": "",
        "confirmed": False,
        "unconfirmed_note": "No encontramos en una página oficial qué documentos acepta SUNAT a una persona "
        "extranjera: el portal pide DNI, Carné de Extranjería o CPP. Con pasaporte o con el carné de "
        "solicitante de refugio no está confirmado; pregunta en SUNAT. La inscripción suele ser gratuita, "
        "sin confirmar.",
        "office": "SUNAT: SUNAT Virtual o un Centro de Servicios al Contribuyente",
        "requirements": "Documento de identidad vigente (original y copia si no es DNI)\n"
        "Dirección del domicilio fiscal\n"
        "Actividad económica y régimen tributario elegido (Nuevo RUS, RER, RMT o General)",
        "accepted_documents": ["dni", "ce", "cpp"],
        "prerequisites": ["constitucion-empresa"],
    },
    "licencia": {
        "sort_order": 3,
        "legal_basis": "Ley N.° 28976, Ley Marco de Licencia de Funcionamiento (TUO aprobado por Decreto "
        "Supremo N.° 046-2017-PCM); Decreto Supremo N.° 002-2018-PCM, Reglamento de Inspecciones Técnicas "
        "de Seguridad en Edificaciones (ITSE)",
        "source_urls": "",
        "confirmed": False,
        "unconfirmed_note": "El costo y el plazo los fija el TUPA de cada municipalidad. Que la ITSE sea "
        "posterior a la licencia para riesgo bajo y medio y previa para riesgo alto lo leímos en textos de "
        "la norma publicados fuera de los portales oficiales; la vigencia del certificado ITSE no está "
        "confirmada.",
        "office": "La municipalidad distrital donde está tu local",
        "requirements": "Solicitud con carácter de declaración jurada\n"
        "Número de RUC\n"
        "Documento de identidad del titular o del representante\n"
        "Declaración jurada de condiciones de seguridad (riesgo bajo o medio) o ITSE previa (riesgo alto)\n"
        "Pago de la tasa",
        "accepted_documents": [],
        "prerequisites": ["ruc"],
    },
    "registro-portal-negocio": {
        "sort_order": 4,
        "legal_basis": "Registro de negocios de la municipalidad en este portal",
        "source_urls": "",
        "confirmed": True,
        "unconfirmed_note": "",
        "cost": "Gratuito",
        "office": "En línea, en este portal",
        "accepted_documents": [],
        "prerequisites": [],
    },
    "asamblea-fundacion": {
        "sort_order": 5,
        "legal_basis": _RUOS_LIMA,
        "source_urls": _RUOS_SOURCES,
        "confirmed": True,
        "unconfirmed_note": _RUOS_NOTE,
        "requirements": "Acta de fundación o de constitución firmada por los asistentes",
        "accepted_documents": [],
        "prerequisites": [],
    },
    "estatuto": {
        "sort_order": 6,
        "legal_basis": _RUOS_LIMA,
        "source_urls": _RUOS_SOURCES,
        "confirmed": True,
        "unconfirmed_note": _RUOS_NOTE,
        "requirements": "Estatuto\nActa de la asamblea que lo aprobó",
        "accepted_documents": [],
        "prerequisites": ["asamblea-fundacion"],
    },
    "eleccion-directiva": {
        "sort_order": 7,
        "legal_basis": _RUOS_LIMA,
        "source_urls": _RUOS_SOURCES,
        "confirmed": True,
        "unconfirmed_note": _RUOS_NOTE,
        "requirements": "Acta de elección del órgano directivo\nNómina de los miembros del órgano directivo",
        "accepted_documents": [],
        "prerequisites": ["estatuto"],
    },
    "padron-socios": {
        "sort_order": 8,
        "legal_basis": _RUOS_LIMA,
        "source_urls": _RUOS_SOURCES,
        "confirmed": True,
        "unconfirmed_note": _RUOS_NOTE,
        "requirements": "Nómina de los miembros de la organización",
        "accepted_documents": [],
        "prerequisites": ["asamblea-fundacion"],
    },
    "inscripcion-sunarp": {
        "sort_order": 9,
        "legal_basis": "Registro de Personas Jurídicas de SUNARP. La inscripción no es requisito del RUOS: "
        "se registran organizaciones inscritas o no en Registros Públicos",
        "source_urls": "https://www.miraflores.gob.pe/los-servicios/participacion-vecinal/"
        "registro-unico-de-organizaciones-sociales-ruos/",
        "confirmed": False,
        "unconfirmed_note": "No encontramos la página oficial de SUNARP con los requisitos, el costo y el "
        "plazo de la inscripción de una asociación; los requisitos que mostramos (formato de solicitud y "
        "escritura pública de constitución con el estatuto) vienen de guías no oficiales.",
        "office": "SUNARP (Registro de Personas Jurídicas) y una notaría",
        "requirements": "Formato de solicitud de inscripción\nEscritura pública de constitución con el estatuto",
        "accepted_documents": [],
        "prerequisites": ["estatuto", "eleccion-directiva"],
    },
    "registro-organizaciones-civiles": {
        "sort_order": 10,
        "legal_basis": _RUOS_LIMA,
        "source_urls": _RUOS_SOURCES,
        "confirmed": True,
        "unconfirmed_note": _RUOS_NOTE,
        "requirements": "Plano o croquis de ubicación del local o domicilio de la organización\n"
        "Plano o croquis del radio de acción de la organización",
        "accepted_documents": [],
        "prerequisites": [],
    },
    "registro-portal-organizacion": {
        "sort_order": 11,
        "legal_basis": _RUOS_LIMA + ". En Lima, el RUOS se pide en línea: crear una cuenta, subir los "
        "documentos, enviar la solicitud, evaluación y aprobación",
        "source_urls": _RUOS_SOURCES + "\nhttps://www.miraflores.gob.pe/los-servicios/participacion-vecinal/"
        "registro-unico-de-organizaciones-sociales-ruos/",
        "confirmed": True,
        "unconfirmed_note": "En Miraflores el trámite es gratuito (Ordenanza N.° 647-MM); el costo en otras "
        "municipalidades no está confirmado.",
        "office": "En línea, en este portal",
        "requirements": "Solicitud de reconocimiento y registro con el nombre y la dirección de la "
        "organización",
        "accepted_documents": [],
        "prerequisites": ["asamblea-fundacion", "estatuto", "eleccion-directiva", "padron-socios"],
    },
    "presupuesto-participativo": {
        "sort_order": 12,
        "kind": "organization",
        "legal_forms": [],
        "title": "Participar en el presupuesto participativo",
        "title_en": "Take part in participatory budgeting",
        "summary": "Con la inscripción en el registro de organizaciones de tu municipalidad, tu organización "
        "puede acreditar representantes como agentes participantes y proponer proyectos en el presupuesto "
        "participativo de cada año.",
        "summary_en": "Once registered in your municipality's registry of organizations, your organization "
        "can accredit representatives as participating agents and propose projects in each year's "
        "participatory budgeting.",
        "optional": False,
        "evidence": "none",
        "legal_basis": "Ley N.° 28056, Ley Marco del Presupuesto Participativo (modificada por la Ley N.° "
        "29298), y su reglamento; Ley N.° 27972, Orgánica de Municipalidades, art. 53. Las organizaciones "
        "inscritas en el RUOS ejercen los derechos de participación vecinal",
        "source_urls": "https://www.miraflores.gob.pe/los-servicios/participacion-vecinal/"
        "registro-unico-de-organizaciones-sociales-ruos/",
        "confirmed": False,
        "unconfirmed_note": "No encontramos en una página oficial el texto de la Ley 28056 ni el calendario "
        "del proceso: cada municipalidad convoca cada año e inscribe a los agentes participantes. "
        "Pregunta en la oficina de participación vecinal.",
        "office": "Oficina de participación vecinal de tu municipalidad",
        "requirements": "Inscripción vigente en el registro de organizaciones de la municipalidad\n"
        "Representantes acreditados cuando la municipalidad convoque",
        "accepted_documents": [],
        "prerequisites": ["registro-portal-organizacion"],
    },
}
