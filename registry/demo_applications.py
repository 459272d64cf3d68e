"""Demo applications in every state of the review workflow, for seed_demo and manual testing.

They go through the real review services (submit, observe, approve, reject, suspend), so the
demo shows true history entries, observations and registry numbers. Idempotent: an application
whose slug exists is left alone.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from .models import (
    ConsentRecord,
    District,
    Kind,
    LegalForm,
    Municipality,
    Organization,
    OrganizationMembership,
    Person,
    PersonRole,
    Sector,
    home_municipality,
)
from .permissions import EDITORS, REGISTRARS, REVIEWERS, ensure_staff_groups
from .services import review
from .workflows import install_review_workflow

APPLICANT_EMAIL = "solicitante@example.com"
HOME = None  # the home municipality (Lima Metropolitana in the demo)
CARMEN = "070103"  # Carmen de la Legua Reynoso's ubigeo
# The demo's people: (username, e-mail, staff group or None for the applicant, the ubigeo of the
# municipality they serve or HOME). They act in the demo applications below; seed_demo gives
# them passwords to log in with. A municipality's accounts exist once the municipality does.
DEMO_ACCOUNTS = [
    ("revisora-demo", "revisora@example.com", REVIEWERS, HOME),
    ("registrador-demo", "registrador@example.com", REGISTRARS, HOME),
    ("editora-demo", "editora@example.com", EDITORS, HOME),
    ("revisor-carmen", "revisor.carmen@example.com", REVIEWERS, CARMEN),
    ("registradora-carmen", "registradora.carmen@example.com", REGISTRARS, CARMEN),
    ("editor-carmen", "editor.carmen@example.com", EDITORS, CARMEN),
    ("solicitante-demo", APPLICANT_EMAIL, None, HOME),
]

# (slug, name, sector, district, the steps that bring it to its state). Each belongs to the
# municipality that covers its district (the more local one where two do) and is reviewed by
# that municipality's demo staff.
DEMO_APPLICATIONS = [
    ("demo-borrador", "Tequeños La Guaira (borrador)", "gastronomia", "san-juan-de-lurigancho", []),
    ("demo-enviada", "Barbería Los Llanos", "belleza", "los-olivos", ["submit"]),
    ("demo-en-revision", "Costura Yelitza", "textil", "comas", ["submit", "check"]),
    (
        "demo-observada",
        "Reparación de celulares Josué",
        "tecnologia",
        "san-martin-de-porres",
        ["submit", "observe"],
    ),
    (
        "demo-aprobada",
        "Red de Mujeres Migrantes Carmen de la Legua",
        "comunitario",
        "carmen-de-la-legua-reynoso",
        ["submit", "check", "approve"],
    ),
    (
        "demo-rechazada",
        "Cambio de divisas Express",
        "servicios-profesionales",
        "cercado-de-lima",
        ["submit", "reject"],
    ),
    ("demo-suspendida", "Mudanzas Oriente", "transporte", "ate", ["submit", "check", "approve", "suspend"]),
    (
        "demo-con-cambios",
        "Arepera Zuliana",
        "gastronomia",
        "la-victoria",
        ["submit", "check", "approve", "propose_changes"],
    ),
    ("demo-carmen-enviada", "Arepera La Chinita", "gastronomia", "carmen-de-la-legua-reynoso", ["submit"]),
    (
        "demo-carmen-en-revision",
        "Bodega Margarita",
        "comercio",
        "carmen-de-la-legua-reynoso",
        ["submit", "check"],
    ),
    (
        "demo-carmen-observada",
        "Barbería El Chalaco",
        "belleza",
        "carmen-de-la-legua-reynoso",
        ["submit", "observe"],
    ),
]


def _municipality(ubigeo):
    return home_municipality() if ubigeo is HOME else Municipality.objects.filter(ubigeo=ubigeo).first()


def _user(username, email, role=None, municipality=None):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    if created:
        user.set_unusable_password()  # until seed_demo gives the demo account a password
        user.save()
    if role:
        user.groups.add(ensure_staff_groups(municipality=municipality)[role])
    return user


def demo_accounts():
    """The demo accounts whose municipality exists: (username, e-mail, role, municipality)."""
    accounts = []
    for username, email, role, ubigeo in DEMO_ACCOUNTS:
        municipality = _municipality(ubigeo)
        if municipality is not None or ubigeo is HOME:
            accounts.append((username, email, role, municipality))
    return accounts


def _covering(district):
    """The municipality an application in `district` goes to: the most local one covering it."""
    covering = (
        Municipality.objects.covering(district).annotate(size=Count("districts")).order_by("size", "pk")
    )
    return covering.first() or home_municipality()


def _application(slug, name, sector_code, district_code, applicant):
    district = District.objects.get(code=district_code)
    municipality = _covering(district)
    organization = Organization.objects.create(
        slug=slug,
        name=name,
        kind=Kind.ORGANIZATION if sector_code == "comunitario" else Kind.BUSINESS,
        legal_form=LegalForm.COMMUNITY_GROUP if sector_code == "comunitario" else LegalForm.SOLE_PROPRIETOR,
        sector=Sector.objects.get(code=sector_code),
        district=district,
        **({"municipality": municipality} if municipality is not None else {}),
        short_description=f"{name}: atención a vecinos peruanos y venezolanos.",
        phone="987654321",
        whatsapp="987654321",
        live=False,
        created_by=applicant,
    )
    OrganizationMembership.objects.create(
        organization=organization, user=applicant, role=OrganizationMembership.Role.OWNER
    )
    Person.objects.create(
        organization=organization,
        role=PersonRole.REPRESENTATIVE,
        full_name="Persona de demostración",
        document_type="cpp",
        document_number="CPP00000000",
    )
    ConsentRecord.objects.create(
        user=applicant, organization=organization, text_version="demo", text="Demo.", language="es"
    )
    return organization


def create_demo_applications() -> int:
    """Create the demo applications that do not exist yet; return how many were created."""
    install_review_workflow()
    home = home_municipality()
    users = {}
    for username, email, role, municipality in demo_accounts():
        users[(municipality.pk if municipality else None, role)] = _user(username, email, role, municipality)
    applicant = users[(home.pk if home else None, None)]
    created = 0
    for slug, name, sector, district, steps in DEMO_APPLICATIONS:
        if Organization.objects.filter(slug=slug).exists():
            continue
        organization = _application(slug, name, sector, district, applicant)
        # Its municipality's demo staff; the home municipality's in an installation of one.
        staff = organization.municipality_id if (organization.municipality_id, REVIEWERS) in users else None
        staff = staff if staff is not None else (home.pk if home else None)
        reviewer, registrar = users[(staff, REVIEWERS)], users[(staff, REGISTRARS)]
        for step in steps:
            if step == "submit":
                review.submit_application(organization=organization, user=applicant)
            elif step == "check":
                review.approve(organization=organization, user=reviewer, comment="Documentos conformes.")
            elif step == "approve":
                review.approve(organization=organization, user=registrar, comment="Inscripción aprobada.")
            elif step == "observe":
                review.observe(
                    organization=organization,
                    user=reviewer,
                    reasons=["documento-ilegible"],
                    message="La foto del documento de identidad no se lee; súbela de nuevo, por favor.",
                    deadline=timezone.localdate() + timedelta(days=10),
                )
            elif step == "reject":
                review.reject(
                    organization=organization,
                    user=registrar,
                    reason="La actividad declarada requiere autorización de la SBS.",
                )
            elif step == "suspend":
                review.suspend(
                    organization=organization, user=registrar, reason="Denuncia de vecinos en verificación."
                )
            elif step == "propose_changes":
                proposal = Organization.objects.get(pk=organization.pk).get_latest_revision_as_object()
                proposal.short_description = "Arepas, cachapas y ahora también desayunos."
                proposal.save_revision(user=applicant)
                review.submit_application(organization=organization, user=applicant)
        created += 1
    return created
