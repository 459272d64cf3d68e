"""The demo site: pages an office would publish on day one. Idempotent: each page is looked up
by slug under its parent before being created."""

from datetime import timedelta

from django.utils import timezone
from wagtail.models import Page, Site

from registry.models import FormalizationStep

from .models import (
    DirectoryPage,
    EventIndexPage,
    EventPage,
    GuideIndexPage,
    GuidePage,
    HomePage,
    NavigationSettings,
    OfficeSettings,
    StandardPage,
)

SUNAT = "https://www.gob.pe/sunat"
MIGRACIONES = "https://www.gob.pe/migraciones"
SUNARP = "https://www.gob.pe/sunarp"


def _step(code, title, who_for, summary, documents, cost, duration, where, links=()):
    return (
        "step",
        {
            "code": code,
            "title": title,
            "who_for": who_for,
            "summary": f"<p>{summary}</p>",
            "documents": list(documents),
            "cost": cost,
            "duration": duration,
            "where": where,
            "links": [{"title": t, "url": u} for t, u in links],
        },
    )


BUSINESS_STEPS = [
    _step(
        "documento-migratorio",
        "Documento migratorio: CPP o Carné de Extranjería",
        "Todas las personas extranjeras que quieran formalizar su negocio",
        "Con el Carné de Permiso Temporal de Permanencia (CPP) o el Carné de Extranjería (CE) "
        "puedes inscribirte en el RUC y pedir licencia. Si tu trámite está en curso, igual puedes "
        "registrarte en el portal: te orientamos.",
        ["Pasaporte o cédula", "Constancia de solicitud (si está en trámite)"],
        "Según Migraciones",
        "Variable",
        "Superintendencia Nacional de Migraciones, en línea o en sus sedes",
        [("Migraciones", MIGRACIONES)],
    ),
    _step(
        "ruc",
        "RUC en SUNAT y régimen tributario",
        "Negocios que venden o prestan servicios",
        "El Registro Único de Contribuyentes (RUC) tiene 11 dígitos. Elige un régimen: Nuevo RUS "
        "(NRUS) para negocios pequeños, Régimen Especial (RER) o Régimen MYPE Tributario (RMT).",
        ["CPP, CE o DNI", "Dirección del negocio", "Recibo de luz o agua del domicilio fiscal"],
        "Gratuito",
        "El mismo día",
        "SUNAT: en línea o en un Centro de Servicios al Contribuyente",
        [("SUNAT", SUNAT)],
    ),
    _step(
        "licencia",
        "Licencia municipal de funcionamiento e ITSE",
        "Negocios con local abierto al público",
        "La municipalidad otorga la licencia de funcionamiento (Ley 28976) tras la Inspección "
        "Técnica de Seguridad en Edificaciones (ITSE) según el riesgo del local.",
        ["Solicitud con RUC", "Documento de identidad", "Declaración jurada de seguridad"],
        "Según el TUPA de la municipalidad",
        "Hasta 15 días hábiles",
        "Plataforma de atención de la municipalidad distrital",
    ),
    _step(
        "constitucion-empresa",
        "Constituir una empresa (opcional)",
        "Quienes quieran separar su patrimonio o asociarse",
        "Puedes constituir una EIRL, SAC o SRL con minuta y escritura pública, e inscribirla en SUNARP.",
        ["Reserva de nombre", "Minuta de constitución", "Documentos de los socios"],
        "Variable",
        "De 1 a 3 semanas",
        "Notaría y SUNARP",
        [("SUNARP", SUNARP)],
    ),
    _step(
        "registro-portal-negocio",
        "Registro en el portal",
        "Todos los emprendimientos",
        "Crea tu cuenta, completa la solicitud y adjunta tus documentos. Recibirás un número de "
        "registro cuando el personal municipal la apruebe.",
        ["Correo electrónico", "Fotos o documentos"],
        "Gratuito",
        "Revisión en unos días hábiles",
        "En línea, desde tu celular",
    ),
]

ORGANIZATION_STEPS = [
    _step(
        "asamblea-fundacion",
        "Asamblea de fundación y acta",
        "Grupos de vecinos y colectivos",
        "Reúnanse, acuerden crear la organización y dejen constancia en un acta firmada por los asistentes.",
        ["Acta de fundación", "Lista de asistentes"],
        "Gratuito",
        "Un día",
        "Su propio local o espacio comunal",
    ),
    _step(
        "estatuto",
        "Estatuto y acta de aprobación",
        "Asociaciones y organizaciones sociales",
        "El estatuto fija el nombre, los fines, los órganos, los derechos y deberes de los asociados.",
        ["Estatuto", "Acta de aprobación del estatuto"],
        "Gratuito",
        "Una o dos semanas",
        "Asamblea general",
    ),
    _step(
        "eleccion-directiva",
        "Elección de la junta directiva",
        "Asociaciones y organizaciones sociales",
        "Elijan presidente, secretario, tesorero y vocales, y levanten el acta de elección.",
        ["Acta de elección", "Relación de la junta directiva"],
        "Gratuito",
        "Un día",
        "Asamblea general",
    ),
    _step(
        "padron-socios",
        "Padrón de socios",
        "Asociaciones y organizaciones sociales",
        "Lista de socios con nombre y firma. Los números de documento solo los ve el personal municipal.",
        ["Padrón de socios"],
        "Gratuito",
        "Un día",
        "Asamblea general",
    ),
    _step(
        "inscripcion-sunarp",
        "Inscripción en SUNARP (opcional)",
        "Asociaciones que quieran personería jurídica",
        "Con la escritura pública del estatuto, la asociación se inscribe en el Registro de Personas "
        "Jurídicas y obtiene su partida registral.",
        ["Escritura pública", "Estatuto", "Acta de elección"],
        "Derechos registrales",
        "Unas semanas",
        "Notaría y SUNARP",
        [("SUNARP", SUNARP)],
    ),
    _step(
        "registro-organizaciones-civiles",
        "Registro de Organizaciones Sociales (RUOS)",
        "Organizaciones que quieran participar en el presupuesto participativo",
        "El registro municipal pide acta de fundación, estatuto y su aprobación, acta de elección de la "
        "junta, relación de directivos, padrón de socios y croquis del local y del ámbito de acción.",
        ["Acta de fundación", "Estatuto", "Acta de elección", "Padrón", "Croquis del local"],
        "Gratuito",
        "Evaluación en unos días hábiles",
        "En línea, en este portal",
    ),
    _step(
        "registro-portal-organizacion",
        "Registro en el portal",
        "Todas las organizaciones",
        "Completen la solicitud en línea y sigan su estado; el personal puede enviar observaciones.",
        ["Correo electrónico", "Documentos escaneados o fotos"],
        "Gratuito",
        "Unos días hábiles",
        "En línea",
    ),
]


def _child(parent, model, slug, **fields):
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        return existing, False
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


def build_site():
    """Create the demo pages and settings; return the home page."""
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(
            title="Registro de emprendimientos y organizaciones migrantes",
            slug="inicio",
            search_description="Registra tu emprendimiento u organización migrante en la municipalidad, "
            "formalízate paso a paso y encuentra negocios de la comunidad en Lima y Callao.",
            intro="<p>Registra tu emprendimiento u organización, formalízate paso a paso y "
            "encuentra negocios y organizaciones de la comunidad migrante en Lima y Callao.</p>",
        )
        root.add_child(instance=home)
        home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first()
        old_root = site.root_page if site else None
        if site:
            site.root_page = home
            site.site_name = "Registro migrante"
            site.save()
        else:
            Site.objects.create(
                hostname="localhost", root_page=home, is_default_site=True, site_name="Registro migrante"
            )
        if (
            old_root
            and old_root.pk != home.pk
            and old_root.depth == 2
            and not old_root.get_children().exists()
        ):
            old_root.delete()
        home.refresh_from_db()

    directory, _ = _child(
        home,
        DirectoryPage,
        "directorio",
        title="Directorio de emprendimientos y organizaciones",
        search_description="Busca emprendimientos y organizaciones de personas migrantes en Lima y Callao "
        "por rubro, distrito o cercanía, y contáctalos por WhatsApp o teléfono.",
        intro="<p>Busca por lo que necesitas, por distrito o cerca de ti.</p>",
    )
    guides, _ = _child(
        home,
        GuideIndexPage,
        "guias",
        title="Guías para formalizarte",
        search_description="Guías paso a paso para formalizar tu negocio o registrar tu organización: "
        "requisitos, costos, plazos y dónde hacer cada trámite.",
        intro="<p>Paso a paso, con requisitos, costos y dónde ir.</p>",
    )
    business_guide, _ = _child(
        guides,
        GuidePage,
        "formalizar-mi-negocio",
        title="Cómo formalizar mi negocio",
        search_description="Del emprendimiento informal al negocio formal: documento migratorio, RUC en "
        "SUNAT y licencia municipal de funcionamiento, paso a paso.",
        audience="business",
        intro="<p>Del emprendimiento informal al negocio formal, con RUC y licencia.</p>",
        steps=BUSINESS_STEPS,
    )
    organization_guide, _ = _child(
        guides,
        GuidePage,
        "registrar-mi-organizacion",
        title="Cómo registrar mi organización",
        search_description="Cómo inscribir tu organización migrante en el registro municipal de "
        "organizaciones sociales y participar en el presupuesto participativo.",
        audience="organization",
        intro="<p>De un grupo de vecinos a una organización registrada que participa en el presupuesto "
        "participativo.</p>",
        steps=ORGANIZATION_STEPS,
    )
    events, _ = _child(
        home,
        EventIndexPage,
        "eventos",
        title="Eventos y ferias",
        search_description="Migratones y ferias de servicios para personas migrantes: orientación, "
        "trámites y registro de emprendimientos.",
        intro="<p>Migratones y ferias de servicios.</p>",
    )
    # Lima time: 09:00 for the people who read it, whatever the server clock says.
    start = (timezone.localtime() + timedelta(days=21)).replace(hour=9, minute=0, second=0, microsecond=0)
    _child(
        events,
        EventPage,
        "migraton-carmen-de-la-legua",
        title="Migratón en Carmen de la Legua",
        search_description="Feria de servicios en Carmen de la Legua: orientación sobre el CPP, RUC, "
        "asesoría legal y registro de emprendimientos.",
        start=start,
        end=start + timedelta(hours=7),
        place="Parque Central de Carmen de la Legua",
        address="Av. Morales Duárez s/n",
        description="<p>Feria de servicios: orientación sobre el CPP, inscripción en el RUC, "
        "asesoría legal y registro de emprendimientos en el portal.</p>",
    )
    about, _ = _child(
        home,
        StandardPage,
        "privacidad",
        title="Privacidad y protección de datos",
        search_description="Cómo protegemos tus datos personales según la Ley 29733: qué es público, "
        "qué nunca lo es y cómo descargar o borrar tus datos.",
        intro="Tratamos tus datos personales según la Ley 29733 de Protección de Datos Personales.",
        body=[
            (
                "paragraph",
                "<p>Tu situación migratoria, tus números de documento y los archivos que "
                "subes nunca son públicos. Solo el personal municipal autorizado los ve para revisar tu "
                "solicitud. Puedes descargar o pedir que se borren tus datos desde tu cuenta.</p>",
            )
        ],
    )

    # Link each formalization step to the guide that explains it.
    FormalizationStep.objects.filter(kind="business", guide_page__isnull=True).update(
        guide_page=business_guide
    )
    FormalizationStep.objects.filter(kind="organization", guide_page__isnull=True).update(
        guide_page=organization_guide
    )

    site = Site.objects.get(root_page=home)
    office = OfficeSettings.for_site(site)
    if not office.municipality:
        office.municipality = "Municipalidad Distrital de Carmen de la Legua Reynoso"
        office.address = "Av. Morales Duárez cdra. 28, Carmen de la Legua Reynoso, Callao"
        office.phone = "01 000 0000"
        office.email = "migrantes@municipalidad.example"
        office.opening_hours = "Lunes a viernes de 8:30 a 16:30"
        office.save()
    nav = NavigationSettings.for_site(site)
    if not nav.main_menu:
        nav.main_menu = [
            ("link", {"title": "Directorio", "page": directory, "url": ""}),
            ("link", {"title": "Guías", "page": guides, "url": ""}),
            ("link", {"title": "Eventos", "page": events, "url": ""}),
        ]
        nav.footer_links = [("link", {"title": "Privacidad", "page": about, "url": ""})]
        nav.save()
    return home
