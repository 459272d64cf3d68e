"""The page tree every municipality's site starts with, and the demo site built from it.

`build_pages` makes the pages an office would publish on day one (directory, guides, events,
privacy, accessibility), in Spanish and in English, below any site's home; `build_settings` its
menu, footer and office name. add_municipality (cms/sites.py) and seed_demo use the same
builders for every municipality. Idempotent: each page is looked up by slug under its parent
before being created, and its English translation is made (Wagtail's copy for translation, then
the English text) only when missing, so an editor's changes are never overwritten."""

from datetime import date, timedelta

from django.utils import timezone
from wagtail.models import Locale, Page, Site

from registry.models import FormalizationStep, home_municipality

from .models import (
    AccessibilityPage,
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


BUSINESS_STEPS_EN = [
    _step(
        "documento-migratorio",
        "Migration document: CPP or foreigner's card (Carné de Extranjería)",
        "Every foreign national who wants to formalize a business",
        "With the Temporary Permanence Permit card (CPP) or the foreigner's card (CE) you can "
        "register for a RUC and apply for a licence. If your application is still in progress, you can "
        "register on the portal anyway: we will guide you.",
        ["Passport or national ID card", "Proof of application (if still in progress)"],
        "Set by Migraciones",
        "It varies",
        "National Superintendence of Migration (Migraciones), online or at its offices",
        [("Migraciones", MIGRACIONES)],
    ),
    _step(
        "ruc",
        "RUC at SUNAT and tax regime",
        "Businesses that sell goods or services",
        "The taxpayer number (RUC) has 11 digits. Choose a regime: the New Simplified Regime (NRUS) "
        "for small businesses, the Special Regime (RER) or the MYPE Tax Regime (RMT).",
        ["CPP, CE or DNI", "Address of the business", "Electricity or water bill of the tax address"],
        "Free",
        "The same day",
        "SUNAT: online or at a taxpayer service centre",
        [("SUNAT", SUNAT)],
    ),
    _step(
        "licencia",
        "Municipal operating licence and ITSE",
        "Businesses with premises open to the public",
        "The municipality grants the operating licence (Ley 28976) after the building safety "
        "inspection (ITSE) that matches the risk of the premises.",
        ["Application with your RUC", "Identity document", "Sworn safety statement"],
        "As set in the municipality's fee schedule (TUPA)",
        "Up to 15 working days",
        "The district municipality's service desk",
    ),
    _step(
        "constitucion-empresa",
        "Incorporate a company (optional)",
        "Those who want to separate their assets or go into business with partners",
        "You can incorporate an EIRL, SAC or SRL with a draft deed and a public deed, and register it "
        "at SUNARP.",
        ["Name reservation", "Draft deed of incorporation", "Partners' documents"],
        "It varies",
        "From 1 to 3 weeks",
        "A notary and SUNARP",
        [("SUNARP", SUNARP)],
    ),
    _step(
        "registro-portal-negocio",
        "Registration on the portal",
        "Every business",
        "Create your account, fill in the application and attach your documents. You will get a "
        "registry number when municipal staff approve it.",
        ["E-mail address", "Photos or documents"],
        "Free",
        "Reviewed within a few working days",
        "Online, from your phone",
    ),
]

ORGANIZATION_STEPS_EN = [
    _step(
        "asamblea-fundacion",
        "Founding assembly and minutes",
        "Groups of neighbours and collectives",
        "Meet, agree to create the organization and record it in minutes signed by those present.",
        ["Founding minutes", "List of those present"],
        "Free",
        "One day",
        "Your own premises or a community space",
    ),
    _step(
        "estatuto",
        "Statute and its approval minutes",
        "Associations and social organizations",
        "The statute sets the name, the purposes, the governing bodies, and the members' rights and duties.",
        ["Statute", "Minutes approving the statute"],
        "Free",
        "One or two weeks",
        "General assembly",
    ),
    _step(
        "eleccion-directiva",
        "Election of the board",
        "Associations and social organizations",
        "Elect a president, secretary, treasurer and board members, and write the election minutes.",
        ["Election minutes", "List of the board"],
        "Free",
        "One day",
        "General assembly",
    ),
    _step(
        "padron-socios",
        "Member list (padrón)",
        "Associations and social organizations",
        "A list of members with their names and signatures. Only municipal staff see document numbers.",
        ["Member list"],
        "Free",
        "One day",
        "General assembly",
    ),
    _step(
        "inscripcion-sunarp",
        "Registration at SUNARP (optional)",
        "Associations that want legal personality",
        "With the public deed of the statute, the association registers in the Registry of Legal "
        "Persons and gets its record number (partida).",
        ["Public deed", "Statute", "Election minutes"],
        "Registry fees",
        "A few weeks",
        "A notary and SUNARP",
        [("SUNARP", SUNARP)],
    ),
    _step(
        "registro-organizaciones-civiles",
        "Registry of Social Organizations (RUOS)",
        "Organizations that want to take part in participatory budgeting",
        "The municipal registry asks for the founding minutes, the statute and its approval, the board "
        "election minutes, the list of the board, the member list and a sketch of the premises and the "
        "area of action.",
        ["Founding minutes", "Statute", "Election minutes", "Member list", "Sketch of the premises"],
        "Free",
        "Assessed within a few working days",
        "Online, on this portal",
    ),
    _step(
        "registro-portal-organizacion",
        "Registration on the portal",
        "Every organization",
        "Fill in the application online and follow its status; staff may send observations.",
        ["E-mail address", "Scanned documents or photos"],
        "Free",
        "A few working days",
        "Online",
    ),
]

ACCESSIBILITY_REVIEWED = date(2026, 11, 30)


def _accessibility_body(paragraphs):
    blocks = []
    for heading, items in paragraphs:
        blocks.append(("heading", heading))
        blocks.append(("paragraph", "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"))
    return blocks


ACCESSIBILITY_ES = _accessibility_body(
    [
        (
            "Qué buscamos",
            [
                "El portal busca cumplir las Pautas de Accesibilidad para el Contenido Web (WCAG) 2.2 en "
                "el nivel AA, en el celular y en la computadora.",
            ],
        ),
        (
            "Cómo lo comprobamos",
            [
                "Pruebas automáticas con axe-core en el navegador: inicio, directorio y solicitud, en cada cambio.",
                "La auditoría de accesibilidad de Lighthouse en su modo móvil.",
                "El validador Nu Html Checker, para un HTML válido.",
                "Solo con el teclado: cada enlace, botón y campo se alcanza y se usa, con el foco visible.",
                "En una pantalla de 360 píxeles de ancho: nada se desplaza de lado y los formularios se llenan.",
            ],
        ),
        (
            "Limitaciones conocidas",
            [
                "El mapa del directorio necesita JavaScript y es difícil de usar con un lector de pantalla; "
                "la lista de resultados tiene los mismos negocios y sus direcciones.",
                "Los documentos que suben las organizaciones (PDF, fotos) pueden no ser accesibles; la "
                "oficina te da su contenido de otra forma.",
                "Algunas páginas pueden no estar traducidas al inglés todavía; se muestran en español con un aviso.",
            ],
        ),
    ]
)

ACCESSIBILITY_EN = _accessibility_body(
    [
        (
            "What we aim for",
            [
                "The portal aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA, "
                "on a phone and on a computer.",
            ],
        ),
        (
            "How we check it",
            [
                "Automated checks with axe-core in the browser: home page, directory and application, on "
                "every change.",
                "The Lighthouse accessibility audit in its mobile setting.",
                "The Nu Html Checker, for valid HTML.",
                "The keyboard alone: every link, button and field can be reached and used, with a visible focus.",
                "A screen 360 pixels wide: nothing scrolls sideways and forms can be filled in.",
            ],
        ),
        (
            "Known limitations",
            [
                "The directory's map needs JavaScript and is hard to use with a screen reader; the list of "
                "results holds the same listings and their addresses.",
                "Documents that organizations upload (PDF files, photos) may not be accessible; the office "
                "gives you their content in another way.",
                "Some pages may not be translated into English yet; they are shown in Spanish with a notice.",
            ],
        ),
    ]
)


def _child(parent, model, slug, **fields):
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        return existing, False
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


def _translate(page, locale, **fields):
    """The page's translation into `locale`, made from a copy with these fields when missing."""
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific
    translation = page.copy_for_translation(locale).specific
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    return translation


def home_for_site(site, *, slug: str, municipality=None) -> HomePage:
    """The site's home page: its root when that is a home already, else a new home (or the one
    left by an earlier run, found by its slug) under Wagtail's root, made the site's root. The
    welcome page a new installation starts with is removed once nothing hangs under it."""
    root_page = site.root_page.specific
    if isinstance(root_page, HomePage):
        return root_page
    wagtail_root = Page.get_first_root_node()
    home = HomePage.objects.child_of(wagtail_root).filter(slug=slug, locale=Locale.get_default()).first()
    if home is None:
        name = municipality.name if municipality else ""
        home = HomePage(
            title="Registro de emprendimientos y organizaciones migrantes",
            slug=slug,
            search_description="Registra tu emprendimiento u organización migrante en la municipalidad, "
            "formalízate paso a paso y encuentra negocios de la comunidad en Lima y Callao.",
            intro=f"<p>Registra tu emprendimiento u organización{' en la ' + name if name else ''}, "
            "formalízate paso a paso y encuentra negocios y organizaciones de la comunidad migrante "
            "en Lima y Callao.</p>",
        )
        wagtail_root.add_child(instance=home)
        home.save_revision().publish()
    site.root_page = home
    site.save()
    if root_page.depth == 2 and not isinstance(root_page, HomePage) and not root_page.get_children().exists():
        root_page.delete()
    home.refresh_from_db()
    return home


def build_pages(home, municipality=None) -> dict:
    """The page tree every municipality's site starts with, below its home: directory, guides,
    events, privacy and accessibility, each in Spanish and English. Pages that exist (by slug
    under their parent) are kept as editors left them. Returns the Spanish pages by name, and
    their English translations under "en"."""
    pages = {"home": home}
    pages["directory"], _ = _child(
        home,
        DirectoryPage,
        "directorio",
        title="Directorio de emprendimientos y organizaciones",
        search_description="Busca emprendimientos y organizaciones de personas migrantes en Lima y Callao "
        "por rubro, distrito o cercanía, y contáctalos por WhatsApp o teléfono.",
        intro="<p>Busca por lo que necesitas, por distrito o cerca de ti.</p>",
    )
    pages["guides"], _ = _child(
        home,
        GuideIndexPage,
        "guias",
        title="Guías para formalizarte",
        search_description="Guías paso a paso para formalizar tu negocio o registrar tu organización: "
        "requisitos, costos, plazos y dónde hacer cada trámite.",
        intro="<p>Paso a paso, con requisitos, costos y dónde ir.</p>",
    )
    pages["business_guide"], _ = _child(
        pages["guides"],
        GuidePage,
        "formalizar-mi-negocio",
        title="Cómo formalizar mi negocio",
        search_description="Del emprendimiento informal al negocio formal: documento migratorio, RUC en "
        "SUNAT y licencia municipal de funcionamiento, paso a paso.",
        audience="business",
        intro="<p>Del emprendimiento informal al negocio formal, con RUC y licencia.</p>",
        steps=BUSINESS_STEPS,
    )
    pages["organization_guide"], _ = _child(
        pages["guides"],
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
    pages["events"], _ = _child(
        home,
        EventIndexPage,
        "eventos",
        title="Eventos y ferias",
        search_description="Migratones y ferias de servicios para personas migrantes: orientación, "
        "trámites y registro de emprendimientos.",
        intro="<p>Migratones y ferias de servicios.</p>",
    )
    pages["about"], _ = _child(
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
    pages["accessibility"], _ = _child(
        home,
        AccessibilityPage,
        "accesibilidad",
        title="Declaración de accesibilidad",
        intro="Queremos que todas las personas puedan usar este portal: en el celular o en la computadora, "
        "con un lector de pantalla, solo con el teclado o con el texto ampliado.",
        body=ACCESSIBILITY_ES,
        last_reviewed=ACCESSIBILITY_REVIEWED,
    )
    pages["en"] = _english_site(pages, municipality)
    return pages


def build_settings(site, pages, municipality=None) -> None:
    """The site's office details (the municipality's name; contact details are left for staff
    to fill in) and its menu and footer, in both languages; what is filled in already is kept."""
    office = OfficeSettings.for_site(site)
    if municipality is not None and not office.municipality:
        office.municipality = municipality.name
        office.save()
    nav = NavigationSettings.for_site(site)
    english = pages["en"]
    if not nav.main_menu:
        nav.main_menu = [
            ("link", {"title": "Directorio", "page": pages["directory"], "url": ""}),
            ("link", {"title": "Guías", "page": pages["guides"], "url": ""}),
            ("link", {"title": "Eventos", "page": pages["events"], "url": ""}),
        ]
        nav.footer_links = [("link", {"title": "Privacidad", "page": pages["about"], "url": ""})]
        nav.save()
    if not nav.main_menu_en:
        nav.main_menu_en = [
            ("link", {"title": "Directory", "page": english["directory"], "url": ""}),
            ("link", {"title": "Guides", "page": english["guides"], "url": ""}),
            ("link", {"title": "Events", "page": english["events"], "url": ""}),
        ]
        nav.footer_links_en = [("link", {"title": "Privacy", "page": english["about"], "url": ""})]
        nav.save()


def build_demo_extras(site, pages, office_details: dict | None = None) -> None:
    """What only the demo has: a service fair and the office's contact details (fictitious),
    filled in where staff have not written their own."""
    # Lima time: 09:00 for the people who read it, whatever the server clock says.
    start = (timezone.localtime() + timedelta(days=21)).replace(hour=9, minute=0, second=0, microsecond=0)
    event, _ = _child(
        pages["events"],
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
    _translate(
        event,
        Locale.objects.get(language_code="en"),
        title="Migratón in Carmen de la Legua",
        description="<p>Service fair: advice on the CPP, registration for the RUC, legal advice "
        "and registration of businesses on the portal.</p>",
        search_description="Service fair in Carmen de la Legua: advice on the CPP, the RUC, legal advice "
        "and registration on the portal.",
    )
    office = OfficeSettings.for_site(site)
    if office_details and not office.address:
        for name, value in office_details.items():
            setattr(office, name, value)
        office.save()
    if not office.office_name_en:
        office.office_name_en = "Municipal Office for Migrant Neighbours"
        office.opening_hours_en = "Monday to Friday, 8:30 a.m. to 4:30 p.m."
        office.save()


# The demo offices' contact details: fictitious, in the municipality's own district.
DEMO_OFFICES = {
    "150100": {
        "address": "Jr. de la Unión 300, Cercado de Lima",
        "phone": "01 000 0000",
        "email": "migrantes@municipalidad.example",
        "opening_hours": "Lunes a viernes de 8:30 a 16:30",
    },
    "070103": {
        "address": "Av. Morales Duárez cdra. 28, Carmen de la Legua Reynoso, Callao",
        "phone": "01 000 0001",
        "email": "migrantes@carmen.municipalidad.example",
        "opening_hours": "Lunes a viernes de 8:30 a 16:30",
    },
}


def build_site():
    """The demo's default site: the home municipality's pages, settings and demo content;
    return its home page. Other municipalities' sites are built by add_municipality."""
    municipality = home_municipality()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(
            hostname="localhost", root_page=Page.get_first_root_node(), is_default_site=True
        )
    if not site.site_name:
        site.site_name = "Registro migrante"
        site.save(update_fields=["site_name"])
    home = home_for_site(site, slug="inicio", municipality=municipality)
    pages = build_pages(home, municipality)
    build_settings(site, pages, municipality)
    build_demo_extras(site, pages, DEMO_OFFICES.get(municipality.ubigeo if municipality else "150100"))
    # Link each formalization step to the guide that explains it.
    FormalizationStep.objects.filter(kind="business", guide_page__isnull=True).update(
        guide_page=pages["business_guide"]
    )
    FormalizationStep.objects.filter(kind="organization", guide_page__isnull=True).update(
        guide_page=pages["organization_guide"]
    )
    return home


def _english_site(pages, municipality=None):
    """The English translation of every page of the tree, with its English text."""
    en, _ = Locale.objects.get_or_create(language_code="en")
    name = f" with the {municipality.name}" if municipality else ""
    english = {
        "home": _translate(
            pages["home"],
            en,
            title="Registry of migrant businesses and organizations",
            intro=f"<p>Register your business or organization{name}, become formal step by step, and find "
            "businesses and organizations of the migrant community in Lima and Callao.</p>",
            apply_text="Register your business",
            search_text="Search the directory",
            search_description="Register your migrant business or organization with the municipality, become "
            "formal step by step and find businesses of the community in Lima and Callao.",
        )
    }
    english["directory"] = _translate(
        pages["directory"],
        en,
        title="Directory of businesses and organizations",
        intro="<p>Search for what you need, by district or near you.</p>",
        search_description="Find businesses and organizations run by migrants in Lima and Callao by trade, "
        "district or distance, and contact them by WhatsApp or phone.",
    )
    english["guides"] = _translate(
        pages["guides"],
        en,
        title="Guides to become formal",
        intro="<p>Step by step, with requirements, costs and where to go.</p>",
        search_description="Step-by-step guides to formalize your business or register your organization: "
        "requirements, costs, times and offices.",
    )
    _translate(
        pages["business_guide"],
        en,
        title="How to formalize my business",
        intro="<p>From an informal venture to a formal business, with a RUC and a licence.</p>",
        steps=BUSINESS_STEPS_EN,
        search_description="From an informal venture to a formal business: migration document, RUC with "
        "SUNAT, municipal licence and registration on the portal.",
    )
    _translate(
        pages["organization_guide"],
        en,
        title="How to register my organization",
        intro="<p>From a group of neighbours to a registered organization that takes part in "
        "participatory budgeting.</p>",
        steps=ORGANIZATION_STEPS_EN,
        search_description="How to register your migrant organization in the municipal registry of civil "
        "organizations and take part in participatory budgeting.",
    )
    english["events"] = _translate(
        pages["events"],
        en,
        title="Events and fairs",
        intro="<p>Migratones and service fairs.</p>",
        search_description="Migratones and service fairs for migrants: advice, procedures and registration.",
    )
    english["about"] = _translate(
        pages["about"],
        en,
        title="Privacy and data protection",
        intro="We process your personal data under Law 29733 on the Protection of Personal Data.",
        search_description="How we protect your personal data under Law 29733: what is public, what is "
        "never public and how to download or delete your data.",
        body=[
            (
                "paragraph",
                "<p>Your migration status, your document numbers and the files you upload are never "
                "public. Only authorized municipal staff see them, to review your application. You can "
                "download your data or ask for it to be deleted from your account.</p>",
            )
        ],
    )
    english["accessibility"] = _translate(
        pages["accessibility"],
        en,
        title="Accessibility statement",
        intro="We want everyone to be able to use this portal: on a phone or a computer, with a screen "
        "reader, with the keyboard alone or with the text enlarged.",
        body=ACCESSIBILITY_EN,
        search_description="How accessible this portal is, how it was tested and how to report a barrier.",
    )
    return english
