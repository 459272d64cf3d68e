"""Demo applications in every state of the review workflow, for seed_demo and manual testing.

They go through the real review services (submit, observe, approve, reject, suspend), so the
demo shows true history entries, observations and registry numbers. Idempotent: an application
whose slug exists is left alone.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from .models import (
    ConsentRecord,
    District,
    Kind,
    LegalForm,
    Organization,
    OrganizationMembership,
    Person,
    PersonRole,
    Sector,
)
from .permissions import EDITORS, REGISTRARS, REVIEWERS
from .services import review
from .workflows import install_review_workflow

APPLICANT_EMAIL = "solicitante@example.com"
# The demo's people, one per role: (username, e-mail, staff group or None for the applicant).
# They act in the demo applications below; seed_demo gives them passwords to log in with.
DEMO_ACCOUNTS = [
    ("revisora-demo", "revisora@example.com", REVIEWERS),
    ("registrador-demo", "registrador@example.com", REGISTRARS),
    ("editora-demo", "editora@example.com", EDITORS),
    ("solicitante-demo", APPLICANT_EMAIL, None),
]

# (slug, name, sector, district, the steps that bring it to its state)
DEMO_APPLICATIONS = [
    ("demo-borrador", "Tequeños La Guaira (borrador)", "gastronomia", "san-juan-de-lurigancho", []),
    ("demo-enviada", "Barbería Los Llanos", "belleza", "los-olivos", ["submit"]),
    ("demo-en-revision", "Costura Yelitza", "textil", "comas", ["submit", "check"]),
    ("demo-observada", "Reparación de celulares Josué", "tecnologia", "callao", ["submit", "observe"]),
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
]


def _user(username, email, group_name=None):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    if created:
        user.set_unusable_password()  # until seed_demo gives the demo account a password
        user.save()
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


def _application(slug, name, sector_code, district_code, applicant):
    organization = Organization.objects.create(
        slug=slug,
        name=name,
        kind=Kind.ORGANIZATION if sector_code == "comunitario" else Kind.BUSINESS,
        legal_form=LegalForm.COMMUNITY_GROUP if sector_code == "comunitario" else LegalForm.SOLE_PROPRIETOR,
        sector=Sector.objects.get(code=sector_code),
        district=District.objects.get(code=district_code),
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
    users = {group: _user(username, email, group) for username, email, group in DEMO_ACCOUNTS}
    applicant, reviewer, registrar = users[None], users[REVIEWERS], users[REGISTRARS]
    created = 0
    for slug, name, sector, district, steps in DEMO_APPLICATIONS:
        if Organization.objects.filter(slug=slug).exists():
            continue
        organization = _application(slug, name, sector, district, applicant)
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
