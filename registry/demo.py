"""Realistic demo listings for development, demos and benchmarks.

Deterministic for a given seed: the same (seed, index) always gives the same listing and slug,
which is how seed_demo stays idempotent. Rows are bulk-inserted, since benchmarks ask for
100,000 listings in minutes.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import (
    ApplicationStatus,
    District,
    Kind,
    LegalForm,
    Municipality,
    Organization,
    Sector,
    home_municipality,
)
from .services.registry_numbers import next_registry_numbers, registry_prefix

# Approximate centre of each district (WGS84), enough to scatter demo pins inside it.
DISTRICT_CENTRES = {
    "ancon": (-11.774, -77.169),
    "ate": (-12.026, -76.921),
    "barranco": (-12.149, -77.021),
    "brena": (-12.059, -77.051),
    "carabayllo": (-11.853, -77.035),
    "chaclacayo": (-11.977, -76.770),
    "chorrillos": (-12.172, -77.017),
    "cieneguilla": (-12.072, -76.781),
    "comas": (-11.932, -77.049),
    "el-agustino": (-12.041, -76.999),
    "independencia": (-11.992, -77.054),
    "jesus-maria": (-12.074, -77.047),
    "la-molina": (-12.081, -76.941),
    "la-victoria": (-12.068, -77.020),
    "cercado-de-lima": (-12.046, -77.043),
    "lince": (-12.083, -77.034),
    "los-olivos": (-11.962, -77.071),
    "lurigancho": (-11.996, -76.860),
    "lurin": (-12.275, -76.869),
    "magdalena-del-mar": (-12.091, -77.070),
    "miraflores": (-12.121, -77.030),
    "pachacamac": (-12.230, -76.859),
    "pucusana": (-12.481, -76.797),
    "pueblo-libre": (-12.076, -77.063),
    "puente-piedra": (-11.866, -77.076),
    "punta-hermosa": (-12.335, -76.823),
    "punta-negra": (-12.365, -76.795),
    "rimac": (-12.029, -77.029),
    "san-bartolo": (-12.388, -76.780),
    "san-borja": (-12.101, -76.999),
    "san-isidro": (-12.097, -77.036),
    "san-juan-de-lurigancho": (-11.982, -77.004),
    "san-juan-de-miraflores": (-12.157, -76.971),
    "san-luis": (-12.077, -76.996),
    "san-martin-de-porres": (-12.003, -77.079),
    "san-miguel": (-12.077, -77.092),
    "santa-anita": (-12.043, -76.971),
    "santa-maria-del-mar": (-12.404, -76.774),
    "santa-rosa": (-11.803, -77.167),
    "santiago-de-surco": (-12.139, -76.993),
    "surquillo": (-12.112, -77.018),
    "villa-el-salvador": (-12.213, -76.937),
    "villa-maria-del-triunfo": (-12.162, -76.930),
    "callao": (-12.052, -77.132),
    "bellavista": (-12.062, -77.111),
    "carmen-de-la-legua-reynoso": (-12.041, -77.091),
    "la-perla": (-12.069, -77.119),
    "la-punta": (-12.071, -77.163),
    "ventanilla": (-11.877, -77.127),
    "mi-peru": (-11.855, -77.123),
}

# Where migrants mostly live and work: the demo weights listings towards these districts.
BUSY_DISTRICTS = {
    "san-juan-de-lurigancho": 8,
    "san-martin-de-porres": 6,
    "cercado-de-lima": 6,
    "los-olivos": 5,
    "comas": 4,
    "ate": 4,
    "callao": 4,
    "carmen-de-la-legua-reynoso": 3,
    "la-victoria": 3,
    "chorrillos": 3,
    "santiago-de-surco": 2,
    "miraflores": 2,
    "brena": 2,
    "ventanilla": 2,
}

FIRST_NAMES = [
    "María",
    "José",
    "Luis",
    "Carmen",
    "Yuleisy",
    "Daniela",
    "Andreína",
    "Carlos",
    "Jesús",
    "Rosa",
    "Yorman",
    "Génesis",
    "Leonardo",
    "Mariángel",
    "Ana",
    "Óscar",
    "Franyelis",
    "Pedro",
    "Wilmer",
    "Karla",
    "Josué",
    "Isabel",
    "Ramón",
    "Yelitza",
    "Héctor",
    "Anyelo",
    "Nathaly",
    "Jorge",
]
PLACES = [
    "Maracaibo",
    "Caracas",
    "Valencia",
    "Barquisimeto",
    "Mérida",
    "Maracay",
    "Zulia",
    "Lara",
    "Puerto La Cruz",
    "Barinas",
    "Los Andes",
    "Margarita",
    "Táchira",
    "Falcón",
    "Oriente",
    "Llanos",
]
SECTOR_TEMPLATES = {
    "gastronomia": (
        [
            "Arepera {p}",
            "Sabores de {p}",
            "Panadería {f}",
            "Cachapas {f}",
            "Tequeños {p}",
            "Dulces de {f}",
            "Pastelitos {p}",
        ],
        ["arepas", "cachapas", "tequeños", "pan de jamón", "hallacas", "tortas", "delivery"],
    ),
    "comercio": (
        ["Bodega {f}", "Minimarket {p}", "Abarrotes {f}", "Bazar {p}"],
        ["abarrotes", "productos venezolanos", "harina PAN", "recargas", "minimarket"],
    ),
    "belleza": (
        ["Peluquería {f}", "Barbería {p}", "Estética {f}", "Uñas {f}", "Salón {p}"],
        ["corte de cabello", "barbería", "manicure", "pedicure", "tintes", "alisado"],
    ),
    "textil": (
        ["Costura {f}", "Confecciones {p}", "Taller de costura {f}", "Arreglos {f}"],
        ["costura", "arreglos de ropa", "confección", "uniformes", "bordado"],
    ),
    "tecnologia": (
        ["TecnoServicio {p}", "Reparación de celulares {f}", "Computación {p}"],
        ["reparación de celulares", "computadoras", "redes", "software"],
    ),
    "transporte": (
        ["Reparto {p}", "Mudanzas {f}", "Delivery {p}", "Motorizado {f}"],
        ["delivery", "reparto", "mudanzas", "mensajería"],
    ),
    "construccion": (
        ["Construcciones {p}", "Gasfitería {f}", "Electricidad {f}", "Pintura {p}"],
        ["gasfitería", "electricidad", "pintura", "drywall", "albañilería"],
    ),
    "salud": (
        ["Consultorio {f}", "Bienestar {p}", "Masajes {f}", "Odontología {p}"],
        ["fisioterapia", "masajes", "enfermería", "odontología", "nutrición"],
    ),
    "educacion": (
        ["Academia {p}", "Clases {f}", "Tareas dirigidas {f}", "Inglés {p}"],
        ["clases de inglés", "reforzamiento escolar", "matemáticas", "música"],
    ),
    "arte-cultura": (
        ["Eventos {p}", "Fotografía {f}", "Música llanera {p}", "Decoraciones {f}"],
        ["fiestas infantiles", "fotografía", "decoración", "música en vivo"],
    ),
    "servicios-profesionales": (
        ["Contabilidad {f}", "Asesoría {p}", "Diseño {f}", "Traducciones {p}"],
        ["contabilidad", "declaración SUNAT", "diseño gráfico", "traducción"],
    ),
    "turismo": (["Hospedaje {p}", "Viajes {f}", "Tours {p}"], ["hospedaje", "tours", "pasajes"]),
    "manufactura": (
        ["Artesanía {p}", "Calzado {f}", "Carpintería {f}", "Jabones {p}"],
        ["artesanía", "calzado", "muebles", "jabones artesanales"],
    ),
    "comunitario": (
        [
            "Asociación Venezolanos en {d}",
            "Colectivo {p}",
            "Red de Mujeres Migrantes {d}",
            "Comedor Popular {f}",
            "Club Deportivo {p}",
        ],
        ["orientación a migrantes", "olla común", "deporte", "ferias", "apoyo escolar"],
    ),
    "derechos": (
        ["Asociación de Derechos {p}", "Orientación Migrante {d}", "Red Legal {p}"],
        ["asesoría migratoria", "CPP", "refugio", "orientación legal", "derechos laborales"],
    ),
}
# Each municipality's demo listing (by its index) whose data nobody confirmed for over 13 months,
# so the directory and the staff's filter show that state; the others were confirmed within
# CONFIRMED_WITHIN days.
UNCONFIRMED_LISTING = 3
UNCONFIRMED_DAYS = 420
CONFIRMED_WITHIN = 330

ORGANIZATION_SECTORS = {"comunitario", "derechos", "educacion", "arte-cultura"}
DESCRIPTION = (
    "{name} es un {what} liderado por {f}, que llegó de {p} en {year}. Atendemos en {d} "
    "con {svc}. Trabajamos con vecinos peruanos y venezolanos."
)
HOURS_PATTERNS = [
    {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")},
    {day: [["08:00", "13:00"], ["15:00", "20:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    {day: [["10:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    {day: [["07:00", "15:00"]] for day in ("tue", "wed", "thu", "fri", "sat", "sun")},
]


def build_listing(rng, index, sectors, districts, weights, slug_suffix="", municipality_id=None):
    sector = rng.choice(sectors)
    district = rng.choices(districts, weights=weights)[0]
    templates, services = SECTOR_TEMPLATES.get(sector.code, SECTOR_TEMPLATES["comercio"])
    first, place = rng.choice(FIRST_NAMES), rng.choice(PLACES)
    name = rng.choice(templates).format(f=first, p=place, d=district.name)
    is_org = sector.code in ORGANIZATION_SECTORS and rng.random() < 0.7
    kind = Kind.ORGANIZATION if is_org else Kind.BUSINESS
    if is_org:
        legal_form = rng.choice([LegalForm.ASSOCIATION, LegalForm.COMMUNITY_GROUP, LegalForm.FOUNDATION])
    else:
        legal_form = rng.choice(
            [LegalForm.INFORMAL, LegalForm.SOLE_PROPRIETOR, LegalForm.SOLE_PROPRIETOR, LegalForm.COMPANY]
        )
    chosen = rng.sample(services, k=min(len(services), rng.randint(2, 4)))
    lat, lon = DISTRICT_CENTRES.get(district.code, (-12.05, -77.04))
    home_based = rng.random() < 0.25
    year = rng.randint(2017, 2025)
    mobile = f"9{rng.randint(10_000_000, 99_999_999)}"
    # The municipality named here, because the field's default looks up the home one with a
    # query per listing (a third of the seeding's time on PostgreSQL).
    named = {"municipality_id": municipality_id} if municipality_id is not None else {}
    return Organization(
        **named,
        kind=kind,
        legal_form=legal_form,
        name=name,
        slug=f"{slugify(name)[:150]}{slug_suffix}-{index + 1}",
        sector=sector,
        district=district,
        short_description=f"{', '.join(chosen).capitalize()} en {district.name}.",
        description=DESCRIPTION.format(
            name=name,
            what="colectivo" if is_org else "emprendimiento",
            f=first,
            p=place,
            year=year,
            d=district.name,
            svc=", ".join(chosen),
        ),
        services=chosen,
        languages=["es"] + (["en"] if rng.random() < 0.15 else []) + (["pt"] if rng.random() < 0.05 else []),
        address="" if home_based else f"Av. {rng.choice(PLACES)} {rng.randint(100, 2999)}",
        address_public=not home_based,
        latitude=Decimal(f"{lat + rng.uniform(-0.012, 0.012):.6f}"),
        longitude=Decimal(f"{lon + rng.uniform(-0.012, 0.012):.6f}"),
        phone=mobile,
        whatsapp=mobile,
        email=f"contacto{index + 1}@ejemplo.pe",
        opening_hours=rng.choice(HOURS_PATTERNS),
        founded_year=year,
        # Synthetic demo and benchmark listings (100,000 in seconds) are written as approved
        # in bulk, with no review history; a real registration is approved only by
        # registry.services.review (the workflow, or publish_imported for an office's list).
        status=ApplicationStatus.APPROVED,
        live=True,
        has_unpublished_changes=False,
    )


@transaction.atomic
def create_listings(
    count: int,
    seed: int = 1,
    *,
    municipality: Municipality | None = None,
    prefix: str | None = None,
    batch_size: int = 2000,
) -> int:
    """Create `municipality`'s demo listings 0..count-1 for this seed that do not exist yet;
    return how many. They lie in its districts and carry its numbers (or `prefix`'s); by default
    the home municipality's, whose listings keep the slugs and data they always had. Another
    municipality's draw from a generator and slugs of their own (its ubigeo), so the same seed
    gives each municipality different listings."""
    municipality = municipality or home_municipality()
    home = home_municipality()
    is_home = municipality is None or home is None or municipality.pk == home.pk
    sectors = list(Sector.objects.all())
    districts = list(municipality.districts.all()) if municipality is not None else []
    districts = districts or list(District.objects.all())
    weights = [BUSY_DISTRICTS.get(d.code, 1) for d in districts]
    suffix = "" if is_home else f"-{municipality.ubigeo}"
    prefix = prefix or registry_prefix(municipality)
    now = timezone.now()
    created = 0
    for start in range(0, count, batch_size):
        # One generator per listing: listing i is the same whatever exists already, so a second
        # run finds it by its slug and adds nothing.
        rngs = {
            i: random.Random(seed * 1_000_003 + i if is_home else f"{seed}:{municipality.ubigeo}:{i}")
            for i in range(start, min(count, start + batch_size))
        }
        batch = [
            build_listing(rngs[i], i, sectors, districts, weights, suffix, municipality and municipality.pk)
            for i in rngs
        ]
        existing = set(
            Organization.objects.filter(slug__in=[o.slug for o in batch]).values_list("slug", flat=True)
        )
        new = [o for o in batch if o.slug not in existing]
        numbers = next_registry_numbers(count=len(new), prefix=prefix, year=now.year) if new else []
        for organization, number in zip(new, numbers, strict=True):
            organization.registry_number = number
            if municipality is not None:
                organization.municipality = municipality
            index = int(organization.slug.rsplit("-", 1)[1]) - 1
            age = rngs[index].randint(1, 700)  # days since its registration
            if index == UNCONFIRMED_LISTING:
                age = max(age, UNCONFIRMED_DAYS)
            moment = now - timedelta(days=age)
            organization.created_at = organization.submitted_at = moment - timedelta(days=7)
            organization.registered_at = organization.decided_at = moment
            organization.first_published_at = organization.last_published_at = moment
            # Its people confirmed its data within the last year (the yearly reminder), except
            # the one listing per municipality left unconfirmed, whose data dates from its
            # registration.
            confirmed_age = (
                age if age <= CONFIRMED_WITHIN or index == UNCONFIRMED_LISTING else age % CONFIRMED_WITHIN + 1
            )
            organization.last_confirmed_at = now - timedelta(days=confirmed_age)
        Organization.objects.bulk_create(new, batch_size=batch_size)
        created += len(new)
    return created
