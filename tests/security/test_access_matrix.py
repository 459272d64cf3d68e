"""Who may open what: every URL the project defines, for each role.

The matrix lists every URL name of our apps (and the admin screens Wagtail builds for our
models); test_every_url_has_a_row fails when a URL is added without deciding who may use it.
"Refused" means 302 (to a login), 403, 404 or 405: never a page with content.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver, reverse

from registry.models import (
    ListingReport,
    ObservationReason,
    OrganizationInvitation,
    PaperworkDraft,
    PaperworkTemplate,
    Sector,
    home_municipality,
)
from registry.services import review
from registry.services.applications import add_document, record_consent
from search.models import Synonym
from tests.factories import OrganizationFactory, PersonFactory, PublishedOrganizationFactory, UserFactory
from tests.registry import upload_files as files

ROLES = ["anonymous", "applicant_a", "applicant_b", "reviewer", "registrar", "editor", "superuser"]
STAFF = ("reviewer", "registrar", "superuser")
ADMIN = (*STAFF, "editor")
LOGGED_IN = tuple(r for r in ROLES if r != "anonymous")
REFUSED = {302, 403, 404, 405}


def allow(*roles, ok=(200,)):
    return {role: set(ok) if role in roles else REFUSED for role in ROLES}


EVERYONE = allow(*ROLES)
POST_ONLY = {role: {302, 403, 404, 405} for role in ROLES}  # a GET never does anything

# name -> (how to build the path from the fixtures, who gets in)
MATRIX = {
    # public
    "healthz": (lambda o: "/healthz", EVERYONE),
    "registry:start": (lambda o: "/empezar/", EVERYONE),
    "accessibility": (lambda o: "/accesibilidad/", EVERYONE),
    "municipal_stylesheet": (lambda o: "/municipalidad.css", EVERYONE),
    "registry:verify_lookup": (lambda o: "/verify/", EVERYONE),
    "registry:verify": (lambda o: f"/verify/{o['published'].registry_number}/", EVERYONE),
    "registry:certificate": (lambda o: f"/verify/{o['published'].registry_number}/certificate/", EVERYONE),
    "registry:certificate_pdf": (
        lambda o: f"/verify/{o['published'].registry_number}/certificate.pdf",
        EVERYONE,
    ),
    "figures": (lambda o: "/cifras/", EVERYONE),
    "figure_csv": (lambda o: "/cifras/district.csv", EVERYONE),
    "registry_importexport_public:hsds": (lambda o: "/datos-abiertos/hsds.json", EVERYONE),
    "registry_importexport_public:csv": (lambda o: "/datos-abiertos/directorio.csv", EVERYONE),
    "registry_importexport_public:xlsx": (lambda o: "/datos-abiertos/directorio.xlsx", EVERYONE),
    "open_data": (lambda o: "/datos-abiertos/", EVERYONE),
    "api-v1:openapi-json": (lambda o: "/api/v1/openapi.json", EVERYONE),
    "api-v1:openapi-view": (lambda o: "/api/v1/docs", EVERYONE),
    "api-v1:directory": (lambda o: "/api/v1/directory/", EVERYONE),
    "api-v1:suggestions": (lambda o: "/api/v1/directory/suggestions/?q=are", EVERYONE),
    "api-v1:listing": (lambda o: f"/api/v1/directory/{o['published'].registry_number}/", EVERYONE),
    "api-v1:api-root": (lambda o: "/api/v1/", {role: {404} for role in ROLES}),
    # the applicant's own pages
    "registry:my_registrations": (lambda o: "/mis-registros/", allow(*LOGGED_IN)),
    "registry:application_new": (lambda o: "/mis-registros/nuevo/", allow(*LOGGED_IN)),
    "registry:application_detail": (lambda o: f"/mis-registros/{o['draft'].pk}/", allow("applicant_a")),
    "registry:wizard": (lambda o: f"/mis-registros/{o['draft'].pk}/paso/personas/", allow("applicant_a")),
    "registry:invite_manager": (lambda o: f"/mis-registros/{o['draft'].pk}/invitar/", POST_ONLY),
    "registry:confirm_listing": (lambda o: f"/mis-registros/{o['published'].pk}/confirmar/", POST_ONLY),
    "registry:check_listing": (lambda o: f"/mis-registros/{o['draft'].pk}/comprobar/", allow("applicant_a")),
    "registry:document_download": (
        lambda o: f"/mis-registros/{o['submitted'].pk}/documentos/{o['submitted_document'].pk}/",
        allow(*STAFF),
    ),
    "registry:document_delete": (
        lambda o: f"/mis-registros/{o['draft'].pk}/documentos/{o['document'].pk}/borrar/",
        POST_ONLY,
    ),
    "registry:accept_invitation": (lambda o: f"/invitacion/{o['invitation'].token}/", allow(*LOGGED_IN)),
    "registry:my_data": (lambda o: "/mi-cuenta/datos/", allow(*LOGGED_IN)),
    "registry:download_my_data": (lambda o: "/mi-cuenta/datos/descargar/", allow(*LOGGED_IN)),
    "registry:delete_my_account": (lambda o: "/mi-cuenta/borrar/", POST_ONLY),
    "registry:messaging_consent": (lambda o: "/mi-cuenta/avisos/", POST_ONLY),
    "registry:messaging_consent_withdraw": (lambda o: "/mi-cuenta/avisos/retirar/", POST_ONLY),
    "staff_2fa": (lambda o: "/staff/2fa/", allow(*STAFF, "editor")),
    # the staff's review screens
    "registry_review:detail": (lambda o: f"/admin/registry/review/{o['submitted'].pk}/", allow(*STAFF)),
    "registry_notifications:resend": (lambda o: "/admin/registry/notifications/1/resend/", POST_ONLY),
    "registry_data_requests": (lambda o: "/admin/datos-personales/", allow("registrar", "superuser")),
    "registry_importexport:import": (
        lambda o: "/admin/registry/transfer/import/",
        allow("registrar", "superuser"),
    ),
    "registry_importexport:confirm": (
        lambda o: "/admin/registry/transfer/import/confirm/",
        allow("registrar", "superuser", ok=(200, 302, 405)),
    ),
    "registry_importexport:export": (
        lambda o: "/admin/registry/transfer/export/",
        allow("registrar", "superuser"),
    ),
}
for action in ("approve", "observe", "reject", "suspend", "unpublish", "reinstate"):
    MATRIX[f"registry_review:{action}"] = (
        lambda o, action=action: f"/admin/registry/review/{o['submitted'].pk}/{action}/",
        POST_ONLY,
    )
for action in ("link", "merge", "dismiss"):  # decisions on likely duplicates: POST only
    MATRIX[f"registry_review:duplicate_{action}"] = (
        lambda o, action=action: f"/admin/registry/review/{o['submitted'].pk}/duplicates/1/{action}/",
        POST_ONLY,
    )
MATRIX["registry_review:verify_step"] = (
    lambda o: f"/admin/registry/review/{o['submitted'].pk}/steps/{o['submitted'].steps.first().pk}/verify/",
    POST_ONLY,
)


def _snippet_rows(model, obj_key, viewers, editors, adders, deleters=("superuser",), app="registry"):
    """The admin screens Wagtail builds for one of our snippet models."""
    base = f"wagtailsnippets_{app}_{model}"
    chooser = f"wagtailsnippetchoosers_{app}_{model}"
    rows = {
        f"{base}:list": (lambda o: reverse(f"{base}:list"), allow(*viewers)),
        f"{base}:list_results": (lambda o: reverse(f"{base}:list_results"), allow(*viewers)),
        f"{base}:add": (lambda o: reverse(f"{base}:add"), allow(*adders)),
        f"{base}:edit": (lambda o: reverse(f"{base}:edit", args=[o[obj_key].pk]), allow(*editors)),
        f"{base}:delete": (lambda o: reverse(f"{base}:delete", args=[o[obj_key].pk]), allow(*deleters)),
        f"{base}:usage": (lambda o: reverse(f"{base}:usage", args=[o[obj_key].pk]), allow(*viewers)),
        f"{base}:history": (lambda o: reverse(f"{base}:history", args=[o[obj_key].pk]), allow(*viewers)),
        f"{base}:history_results": (
            lambda o: reverse(f"{base}:history_results", args=[o[obj_key].pk]),
            allow(*viewers),
        ),
        f"{base}:copy": (lambda o: reverse(f"{base}:copy", args=[o[obj_key].pk]), allow(*adders)),
        # Wagtail opens choosers to every admin user (editors pick featured listings).
        f"{chooser}:choose": (lambda o: reverse(f"{chooser}:choose"), allow(*ADMIN)),
        f"{chooser}:choose_results": (lambda o: reverse(f"{chooser}:choose_results"), allow(*ADMIN)),
        f"{chooser}:chosen": (lambda o: reverse(f"{chooser}:chosen", args=[o[obj_key].pk]), allow(*ADMIN)),
        f"{chooser}:chosen_multiple": (
            lambda o: reverse(f"{chooser}:chosen_multiple") + f"?id={o[obj_key].pk}",
            allow(*ADMIN),
        ),
        f"{chooser}:create": (lambda o: reverse(f"{chooser}:create"), allow(*adders, ok=(200, 405))),
    }
    return rows


MATRIX.update(_snippet_rows("organization", "published", STAFF, STAFF, ("registrar", "superuser")))
_org = "wagtailsnippets_registry_organization"
MATRIX.update(
    {
        f"{_org}:revisions_revert": (
            lambda o: reverse(
                f"{_org}:revisions_revert", args=[o["published"].pk, o["published"].latest_revision_id]
            ),
            allow(*STAFF),
        ),
        f"{_org}:revisions_compare": (
            lambda o: reverse(f"{_org}:revisions_compare", args=[o["published"].pk, "live", "latest"]),
            allow(*STAFF),
        ),
        f"{_org}:revisions_unschedule": (
            lambda o: reverse(
                f"{_org}:revisions_unschedule", args=[o["published"].pk, o["published"].latest_revision_id]
            ),
            allow("registrar", "superuser"),
        ),
        f"{_org}:unpublish": (
            lambda o: reverse(f"{_org}:unpublish", args=[o["published"].pk]),
            allow("superuser", "registrar"),
        ),
        f"{_org}:lock": (lambda o: reverse(f"{_org}:lock", args=[o["published"].pk]), POST_ONLY),
        f"{_org}:unlock": (lambda o: reverse(f"{_org}:unlock", args=[o["published"].pk]), POST_ONLY),
        f"{_org}:workflow_action": (
            lambda o: reverse(
                f"{_org}:workflow_action", args=[o["submitted"].pk, "approve", o["task_state"].pk]
            ),
            allow("reviewer", "superuser"),  # the current task's group; a GET only shows the form
        ),
        f"{_org}:collect_workflow_action_data": (
            lambda o: reverse(
                f"{_org}:collect_workflow_action_data",
                args=[o["submitted"].pk, "observe", o["task_state"].pk],
            ),
            allow("reviewer", "superuser"),
        ),
        f"{_org}:confirm_workflow_cancellation": (
            lambda o: reverse(f"{_org}:confirm_workflow_cancellation", args=[o["submitted"].pk]),
            # Only for those who may open the application (registry.selectors.organizations_for_staff);
            # the cancellation itself is not accepted (registry.viewsets._RegistryActionsOnly).
            allow(*STAFF),
        ),
        f"{_org}:workflow_history": (
            lambda o: reverse(f"{_org}:workflow_history", args=[o["submitted"].pk]),
            allow(*STAFF),
        ),
        f"{_org}:workflow_history_detail": (
            lambda o: reverse(
                f"{_org}:workflow_history_detail", args=[o["submitted"].pk, o["task_state"].workflow_state_id]
            ),
            allow(*STAFF),
        ),
    }
)
MATRIX.update(_snippet_rows("listingreport", "report", STAFF, STAFF, ("superuser",)))
MATRIX.update(
    _snippet_rows(
        "sector", "sector", ("registrar", "superuser"), ("registrar", "superuser"), ("registrar", "superuser")
    )
)
MATRIX.update(
    _snippet_rows(
        "observationreason",
        "reason",
        ("registrar", "superuser"),
        ("registrar", "superuser"),
        ("registrar", "superuser"),
    )
)
# The step is a national one: editors see it and copy it into their municipality's local step;
# only superusers change it (registry.formalization_viewsets).
MATRIX.update(
    _snippet_rows(
        "formalizationstep", "step", ("editor", "superuser"), ("superuser",), ("editor", "superuser")
    )
)

# Paperwork texts: the default one is the administrators'; editors see it (to copy it into
# their municipality's own) and preview it (registry.paperwork_viewsets).
MATRIX.update(
    _snippet_rows(
        "paperworktemplate",
        "paperwork_template",
        ("editor", "superuser"),
        ("superuser",),
        ("editor", "superuser"),
    )
)
_paperwork = "wagtailsnippets_registry_paperworktemplate"
MATRIX.update(
    {
        f"{_paperwork}:preview_on_add": (
            lambda o: reverse(f"{_paperwork}:preview_on_add"),
            allow("editor", "superuser"),
        ),
        f"{_paperwork}:preview_on_edit": (
            lambda o: reverse(f"{_paperwork}:preview_on_edit", args=[o["paperwork_template"].pk]),
            allow("superuser"),
        ),
        "registry:paperwork_prepare": (lambda o: f"/mis-registros/{o['draft'].pk}/papeles/", POST_ONLY),
        "registry:paperwork_download": (
            lambda o: f"/mis-registros/{o['submitted'].pk}/papeles/{o['paperwork'].pk}.pdf",
            allow(*STAFF),
        ),
    }
)

# Municipalities: administrators change them; registrars open their own and change its prefix.
MATRIX.update(
    _snippet_rows(
        "municipality",
        "municipality",
        ("registrar", "superuser"),
        ("registrar", "superuser"),
        ("superuser",),
    )
)

# Search synonyms: the editors' vocabulary, like the guides.
MATRIX.update(
    _snippet_rows(
        "synonym",
        "synonym",
        ("editor", "superuser"),
        ("editor", "superuser"),
        ("editor", "superuser"),
        ("editor", "superuser"),
        app="directory_search",
    )
)

# Wagtail pages (served by Wagtail's catch-all, so not URL names of their own).
PAGES = {
    "home": (lambda o: "/", EVERYONE),
    "directory": (lambda o: "/directorio/", EVERYONE),
    "directory listing": (lambda o: f"/directorio/{o['published'].slug}/", EVERYONE),
    "directory listing of a draft": (lambda o: f"/directorio/{o['draft'].slug}/", {r: {404} for r in ROLES}),
    # An applicant's unsubmitted draft is theirs alone: its documents, review screen, admin
    # screens and the chooser open to nobody else, staff included.
    "document of an unsubmitted draft": (
        lambda o: f"/mis-registros/{o['draft'].pk}/documentos/{o['document'].pk}/",
        allow("applicant_a"),
    ),
    "review screen of an unsubmitted draft": (lambda o: f"/admin/registry/review/{o['draft'].pk}/", allow()),
    "admin edit of an unsubmitted draft": (
        lambda o: reverse(f"{_org}:edit", args=[o["draft"].pk]),
        allow(),
    ),
    "admin history of an unsubmitted draft": (
        lambda o: reverse(f"{_org}:history", args=[o["draft"].pk]),
        allow(),
    ),
    "chooser's choice of an unsubmitted draft": (
        lambda o: reverse("wagtailsnippetchoosers_registry_organization:chosen", args=[o["draft"].pk]),
        allow(),
    ),
    # Editors choose featured listings among published ones only.
    "chooser's choice of a submitted application": (
        lambda o: reverse("wagtailsnippetchoosers_registry_organization:chosen", args=[o["submitted"].pk]),
        allow(*STAFF),
    ),
    "guide": (lambda o: "/guias/formalizar-mi-negocio/", EVERYONE),
    "event": (lambda o: "/eventos/migraton-carmen-de-la-legua/", EVERYONE),
}

OURS = ("config.", "registry.", "cms.", "search.")


def project_url_names():
    def walk(patterns, ns=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(
                    p.url_patterns, ":".join(filter(None, [ns, p.namespace])) if p.namespace else ns
                )
            elif p.name:
                view = getattr(p.callback, "view_class", p.callback)
                name = f"{ns}:{p.name}" if ns else p.name
                ours = view.__module__.startswith(OURS) or (ns or "").startswith(
                    (
                        "api-v1",
                        "wagtailsnippets_registry",
                        "wagtailsnippetchoosers_registry",
                        "wagtailsnippets_directory_search",
                        "wagtailsnippetchoosers_directory_search",
                        "registry",
                    )
                )
                if ours:
                    yield name

    return set(walk(get_resolver().url_patterns))


def test_every_url_has_a_row():
    missing = project_url_names() - set(MATRIX)
    assert not missing, f"decide who may open these URLs and add them to MATRIX: {sorted(missing)}"
    stale = set(MATRIX) - project_url_names()
    assert not stale, f"these rows name URLs that no longer exist: {sorted(stale)}"


@pytest.fixture
def world(db, demo_site):
    users = {
        "applicant_a": UserFactory(username="ana", email="ana@example.org"),
        "applicant_b": UserFactory(username="bruno", email="bruno@example.org"),
        "superuser": UserFactory(username="root", is_superuser=True, is_staff=True),
    }
    for role, group in (("reviewer", "Revisores"), ("registrar", "Registradores"), ("editor", "Editores")):
        users[role] = UserFactory(username=role)
        users[role].groups.add(Group.objects.get(name=group))
    draft = OrganizationFactory(owner=users["applicant_a"], name="Borrador de Ana")
    PersonFactory(organization=draft)
    document = add_document(
        organization=draft, user=users["applicant_a"], uploaded=files.pdf(), document_type="statute"
    )
    published = PublishedOrganizationFactory(name="Arepera Publicada")
    published.save_revision().publish()
    from search.indexing import index_organizations

    index_organizations([published.pk])  # on_commit does not fire inside a test's transaction
    submitter = UserFactory(username="carla")
    submitted = OrganizationFactory(owner=submitter, name="Enviada por Carla")
    PersonFactory(organization=submitted)
    from registry.formalization import ensure_organization_steps

    ensure_organization_steps(submitted)
    submitted_document = add_document(
        organization=submitted, user=submitter, uploaded=files.pdf(), document_type="statute"
    )
    record_consent(organization=submitted, user=submitter)
    state = review.submit_application(organization=submitted, user=submitter)
    paperwork = PaperworkDraft(organization=submitted, kind="member_list", title="Padrón")
    paperwork.pdf.save("draft.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    paperwork.docx.save("draft.docx", ContentFile(b"PK"), save=True)
    objects = {
        "draft": draft,
        "document": document,
        "submitted_document": submitted_document,
        "published": published,
        "submitted": submitted,
        "task_state": state.current_task_state,
        "invitation": OrganizationInvitation.objects.create(organization=draft, email="bruno@example.org"),
        "report": ListingReport.objects.create(organization=published, reason="closed", message="Cerró"),
        "sector": Sector.objects.first(),
        "reason": ObservationReason.objects.first(),
        "step": submitted.steps.first().step,
        "synonym": Synonym.objects.create(terms="queque de prueba, torta de prueba"),
        "municipality": home_municipality(),
        "paperwork": paperwork,
        "paperwork_template": PaperworkTemplate.objects.get(kind="statute", municipality=None),
    }
    return users, objects


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, world, role):
    users, objects = world
    if role != "anonymous":
        client.force_login(users[role])
    wrong = []
    for name, (build, expected) in {**MATRIX, **PAGES}.items():
        path = build(objects)
        status = client.get(path).status_code
        if status not in expected[role]:
            wrong.append(f"{role}: {name} {path}: {status}, expected {sorted(expected[role])}")
    assert not wrong, "\n".join(wrong)


# Staff who have not passed the second factor (STAFF_REQUIRE_2FA on, password only): every URL a
# role opens through its staff permissions, and that a logged-in stranger cannot open, refuses
# them, wherever it lives (the admin, the private documents). What they open as anyone else (the
# public pages, their own account) stays open, and so does the page where they enter the code.
WITHOUT_SECOND_FACTOR = ("reviewer", "registrar", "editor", "superuser")
SECOND_FACTOR_PAGE = "staff_2fa"


def expected_without_second_factor(name, expected, role):
    if name == SECOND_FACTOR_PAGE:
        return expected[role]
    through_staff_permission = expected[role] != REFUSED and expected["applicant_b"] == REFUSED
    return REFUSED if through_staff_permission else expected[role]


@pytest.mark.parametrize("role", WITHOUT_SECOND_FACTOR)
def test_access_matrix_staff_without_second_factor(client, world, role, settings):
    settings.STAFF_REQUIRE_2FA = True
    users, objects = world
    client.force_login(users[role])
    wrong = []
    for name, (build, expected) in {**MATRIX, **PAGES}.items():
        path = build(objects)
        status = client.get(path).status_code
        allowed = expected_without_second_factor(name, expected, role)
        if status not in allowed:
            wrong.append(f"{role} without second factor: {name} {path}: {status}, expected {sorted(allowed)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ("reviewer", "superuser"))
def test_staff_with_second_factor_open_documents(client, world, role, settings):
    """The other side of the column above: once the code is entered, the same staff get in."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.STAFF_REQUIRE_2FA = True
    users, objects = world
    device = TOTPDevice.objects.create(user=users[role], name="app", confirmed=True)
    client.force_login(users[role])
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    submitted, document = objects["submitted"], objects["submitted_document"]
    assert client.get(f"/mis-registros/{submitted.pk}/documentos/{document.pk}/").status_code == 200
    assert client.get(f"/admin/registry/review/{submitted.pk}/").status_code == 200
