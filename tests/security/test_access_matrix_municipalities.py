"""Who may open what across two municipalities: the home one (Lima Metropolitana) and Carmen de la
Legua Reynoso (the `carmen` fixture), each with its reviewer, registrar and editor, one person
serving both, a superuser, an applicant and an anonymous visitor.

For every staff URL of one registration (admin screens, review screen and actions, documents,
reports, the municipality's own screen) and every role: a role that does not serve the
registration's municipality is refused (302, 403, 404 or 405) and the response names nothing of
it (neither its name nor its registry number); a POST changes nothing in the database. List
pages (the queue, reports, municipalities, personal-data requests, import history, exports, the
dashboard) show the role's own municipality's records and none of the other's. The person
serving both, and the superuser, see both. test_access_matrix.py keeps the single-municipality
matrix (the home municipality).
"""

import pytest
from django.urls import reverse
from wagtail.log_actions import log

from registry import dashboard
from registry.importexport.services import IMPORT_ACTION
from registry.models import (
    DuplicateCandidate,
    ListingReport,
    MunicipalStaffGroup,
    Observation,
    ObservationReason,
    Organization,
    PersonalDataRequest,
    home_municipality,
)
from registry.services import review
from registry.services.applications import add_document, record_consent
from tests.factories import OrganizationFactory, PersonFactory, PublishedOrganizationFactory, UserFactory
from tests.registry import upload_files as files

REFUSED = {302, 403, 404, 405}
PLACES = ("lima", "carmen")
STAFF_ROLES = ("reviewer", "registrar", "editor")
ROLES = (
    *(f"{place}_{role}" for place in PLACES for role in STAFF_ROLES),
    "both",
    "superuser",
    "applicant",
    "anonymous",
)


def serves(role, place):
    """The roles that serve a municipality; everyone else must find nothing of it."""
    return role in ("both", "superuser") or role.startswith(f"{place}_")


def _group(municipality, role):
    return MunicipalStaffGroup.objects.get(municipality=municipality, role=role).group


def _registration(municipality, place, owner, number):
    """A submitted application (with a document and steps, waiting at its municipality's first
    task) and a published listing with an open report, both of this municipality."""
    submitted = OrganizationFactory(owner=owner, name=f"Solicitud Enviada {place}", municipality=municipality)
    PersonFactory(organization=submitted)
    from registry.formalization import ensure_organization_steps

    ensure_organization_steps(submitted)
    document = add_document(organization=submitted, user=owner, uploaded=files.pdf(), document_type="statute")
    record_consent(organization=submitted, user=owner)
    state = review.submit_application(organization=submitted, user=owner)
    published = PublishedOrganizationFactory(
        name=f"Listado Publicado {place}", municipality=municipality, registry_number=number
    )
    published.save_revision().publish()
    report = ListingReport.objects.create(organization=published, reason="closed", message=f"Cerró {place}")
    pair = DuplicateCandidate.objects.create(first=submitted, second=published, reasons=["phone"])
    return {
        "municipality": municipality,
        "submitted": submitted,
        "document": document,
        "task_state": state.current_task_state,
        "published": published,
        "report": report,
        "pair": pair,
        # What must never show to those who do not serve it.
        "secrets": [submitted.name, published.name, number],
    }


@pytest.fixture
def world(db, demo_site, carmen):
    lima = home_municipality()
    users = {
        "superuser": UserFactory(username="root", is_superuser=True, is_staff=True),
        "applicant": UserFactory(username="ana"),
        "both": UserFactory(username="ambas"),
    }
    for place, municipality in (("lima", lima), ("carmen", carmen)):
        for role in STAFF_ROLES:
            user = UserFactory(username=f"{place}-{role}")
            user.groups.add(_group(municipality, f"{role}s"))
            users[f"{place}_{role}"] = user
        users["both"].groups.add(_group(municipality, "reviewers"), _group(municipality, "registrars"))
    objects = {
        "lima": _registration(lima, "Limeña", UserFactory(username="owner-lima"), "RMO-2026-000901"),
        "carmen": _registration(carmen, "Chalaca", UserFactory(username="owner-carmen"), "MCL-2026-000902"),
    }
    return users, objects


_org = "wagtailsnippets_registry_organization"
_chooser = "wagtailsnippetchoosers_registry_organization"
_report = "wagtailsnippets_registry_listingreport"
_muni = "wagtailsnippets_registry_municipality"

# Every staff screen of one municipality's registration (or of the municipality itself).
GET_URLS = {
    "review screen": lambda o: f"/admin/registry/review/{o['submitted'].pk}/",
    "review screen of the listing": lambda o: f"/admin/registry/review/{o['published'].pk}/",
    "private document": lambda o: f"/mis-registros/{o['submitted'].pk}/documentos/{o['document'].pk}/",
    "edit": lambda o: reverse(f"{_org}:edit", args=[o["published"].pk]),
    "edit the application": lambda o: reverse(f"{_org}:edit", args=[o["submitted"].pk]),
    "history": lambda o: reverse(f"{_org}:history", args=[o["published"].pk]),
    "history results": lambda o: reverse(f"{_org}:history_results", args=[o["published"].pk]),
    "usage": lambda o: reverse(f"{_org}:usage", args=[o["published"].pk]),
    "delete": lambda o: reverse(f"{_org}:delete", args=[o["published"].pk]),
    "copy": lambda o: reverse(f"{_org}:copy", args=[o["published"].pk]),
    "revisions compare": lambda o: reverse(
        f"{_org}:revisions_compare", args=[o["published"].pk, "live", "latest"]
    ),
    "revisions revert": lambda o: reverse(
        f"{_org}:revisions_revert", args=[o["published"].pk, o["published"].latest_revision_id]
    ),
    "unpublish (Wagtail's)": lambda o: reverse(f"{_org}:unpublish", args=[o["published"].pk]),
    "workflow action": lambda o: reverse(
        f"{_org}:workflow_action", args=[o["submitted"].pk, "approve", o["task_state"].pk]
    ),
    "workflow action data": lambda o: reverse(
        f"{_org}:collect_workflow_action_data", args=[o["submitted"].pk, "observe", o["task_state"].pk]
    ),
    "workflow history": lambda o: reverse(f"{_org}:workflow_history", args=[o["submitted"].pk]),
    "workflow history detail": lambda o: reverse(
        f"{_org}:workflow_history_detail", args=[o["submitted"].pk, o["task_state"].workflow_state_id]
    ),
    "workflow cancellation": lambda o: reverse(
        f"{_org}:confirm_workflow_cancellation", args=[o["submitted"].pk]
    ),
    "chooser's choice": lambda o: reverse(f"{_chooser}:chosen", args=[o["published"].pk]),
    "chooser's choice of the application": lambda o: reverse(f"{_chooser}:chosen", args=[o["submitted"].pk]),
    "chooser's choices": lambda o: reverse(f"{_chooser}:chosen_multiple") + f"?id={o['published'].pk}",
    "report edit": lambda o: reverse(f"{_report}:edit", args=[o["report"].pk]),
    "report history": lambda o: reverse(f"{_report}:history", args=[o["report"].pk]),
    "report usage": lambda o: reverse(f"{_report}:usage", args=[o["report"].pk]),
    "report delete": lambda o: reverse(f"{_report}:delete", args=[o["report"].pk]),
    "municipality edit": lambda o: reverse(f"{_muni}:edit", args=[o["municipality"].pk]),
    "municipality history": lambda o: reverse(f"{_muni}:history", args=[o["municipality"].pk]),
    "municipality usage": lambda o: reverse(f"{_muni}:usage", args=[o["municipality"].pk]),
    "municipality delete": lambda o: reverse(f"{_muni}:delete", args=[o["municipality"].pk]),
    "municipality choice": lambda o: reverse(
        "wagtailsnippetchoosers_registry_municipality:chosen", args=[o["municipality"].pk]
    ),
}

# Answer 200 with nothing in it (a list of the chosen among those the user may choose).
EMPTY_ANSWER = {"chooser's choices"}


def _duplicate(o, action):
    """A decision on the pair of the registration's application and its listing."""
    return reverse(f"registry_review:duplicate_{action}", args=[o["submitted"].pk, o["pair"].pk])


# Every staff action on one registration: (path, form data).
POSTS = {
    "approve": lambda o: (
        f"/admin/registry/review/{o['submitted'].pk}/approve/",
        {"task_state_id": o["task_state"].pk},
    ),
    "observe": lambda o: (
        f"/admin/registry/review/{o['submitted'].pk}/observe/",
        {"reasons": [ObservationReason.objects.first().code], "message": "Corrige", "deadline": "2099-01-01"},
    ),
    "reject": lambda o: (f"/admin/registry/review/{o['submitted'].pk}/reject/", {"reason": "No procede"}),
    "verify step": lambda o: (
        f"/admin/registry/review/{o['submitted'].pk}/steps/{o['submitted'].steps.first().pk}/verify/",
        {"note": "ok"},
    ),
    "suspend": lambda o: (f"/admin/registry/review/{o['published'].pk}/suspend/", {"reason": "Motivo"}),
    "unpublish": lambda o: (f"/admin/registry/review/{o['published'].pk}/unpublish/", {"reason": "Motivo"}),
    "reinstate": lambda o: (f"/admin/registry/review/{o['published'].pk}/reinstate/", {"reason": "Motivo"}),
    "edit": lambda o: (reverse(f"{_org}:edit", args=[o["published"].pk]), {"name": "Cambiado"}),
    "delete": lambda o: (reverse(f"{_org}:delete", args=[o["published"].pk]), {}),
    "lock": lambda o: (reverse(f"{_org}:lock", args=[o["submitted"].pk]), {}),
    "workflow approve": lambda o: (
        reverse(f"{_org}:workflow_action", args=[o["submitted"].pk, "approve", o["task_state"].pk]),
        {"comment": ""},
    ),
    "report edit": lambda o: (reverse(f"{_report}:edit", args=[o["report"].pk]), {"message": "x"}),
    "report delete": lambda o: (reverse(f"{_report}:delete", args=[o["report"].pk]), {}),
    "duplicate link": lambda o: (_duplicate(o, "link"), {"note": "x"}),
    "duplicate merge": lambda o: (_duplicate(o, "merge"), {"survivor": o["published"].pk, "note": "x"}),
    "duplicate dismiss": lambda o: (_duplicate(o, "dismiss"), {"note": "x"}),
    "municipality prefix": lambda o: (
        reverse(f"{_muni}:edit", args=[o["municipality"].pk]),
        {"registry_prefix": "ZZZ"},
    ),
}


def snapshot(o):
    """What a refused POST must leave as it was."""
    rows = []
    for key in ("submitted", "published"):
        org = Organization.objects.filter(pk=o[key].pk).values().first()
        rows.append(
            org
            and (
                org["name"],
                org["status"],
                org["live"],
                org["registry_number"],
                org["decided_at"],
                org["locked"],
            )
        )
    report = ListingReport.objects.filter(pk=o["report"].pk).values("message", "resolved_at").first()
    municipality = type(o["municipality"]).objects.get(pk=o["municipality"].pk)
    return (
        rows,
        report,
        Observation.objects.filter(organization=o["submitted"]).count(),
        o["submitted"].steps.filter(verified_at__isnull=False).count(),
        municipality.registry_prefix,
        DuplicateCandidate.objects.filter(pk=o["pair"].pk).values_list("status", "survivor_id").get(),
    )


def _login(client, users, role):
    if role != "anonymous":
        client.force_login(users[role])


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("role", ROLES)
def test_nothing_of_another_municipality_opens(client, world, role):
    users, objects = world
    _login(client, users, role)
    wrong = []
    for place in PLACES:
        if serves(role, place):
            continue
        o = objects[place]
        for name, build in GET_URLS.items():
            path = build(o)
            response = client.get(path)
            body = _body(response).decode(errors="replace")
            if response.status_code not in REFUSED and name not in EMPTY_ANSWER:
                wrong.append(f"{role} opened {place}'s {name} {path}: {response.status_code}")
            wrong += [
                f"{role} read {secret!r} in {place}'s {name}" for secret in o["secrets"] if secret in body
            ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_nothing_of_another_municipality_changes(client, world, role):
    users, objects = world
    _login(client, users, role)
    wrong = []
    for place in PLACES:
        if serves(role, place):
            continue
        o = objects[place]
        for name, build in POSTS.items():
            before = snapshot(o)
            path, data = build(o)
            response = client.post(path, data)
            body = _body(response).decode(errors="replace")
            if response.status_code not in REFUSED:
                wrong.append(f"{role} posted {place}'s {name} {path}: {response.status_code}")
            if snapshot(o) != before:
                wrong.append(f"{role} changed {place}'s registration by {name}")
            wrong += [
                f"{role} read {secret!r} after {place}'s {name}" for secret in o["secrets"] if secret in body
            ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("role", ("reviewer", "registrar"))
def test_own_municipalitys_screens_open(client, world, place, role):
    """The other side: the same screens open for the municipality's own staff (each failure
    above is a refusal, not a screen broken for everyone)."""
    users, objects = world
    client.force_login(users[f"{place}_{role}"])
    o = objects[place]
    for name in ("review screen", "private document", "edit", "history", "report edit"):
        assert client.get(GET_URLS[name](o)).status_code == 200, name
    path, data = POSTS["observe"](o) if role == "reviewer" else POSTS["suspend"](o)
    client.post(path, data)
    if role == "reviewer":
        assert Observation.objects.filter(organization=o["submitted"]).exists()
    else:
        o["published"].refresh_from_db()
        assert o["published"].status == "suspended"
        path, data = POSTS["duplicate dismiss"](o)
        client.post(path, data)
        o["pair"].refresh_from_db()
        assert o["pair"].status == DuplicateCandidate.Status.DISMISSED


LISTS = {
    "queue": lambda: reverse(f"{_org}:list"),
    "queue results": lambda: reverse(f"{_org}:list_results"),
    "queue awaiting me": lambda: reverse(f"{_org}:list") + "?awaiting=me",
    "reports": lambda: reverse(f"{_report}:list"),
    "municipalities": lambda: reverse(f"{_muni}:list"),
    "municipality chooser": lambda: reverse("wagtailsnippetchoosers_registry_municipality:choose"),
    "organization chooser": lambda: reverse(f"{_chooser}:choose"),
    "export": lambda: "/admin/registry/transfer/export/?format=csv&status=",
    "site history": lambda: "/admin/reports/site-history/",
    "workflow report": lambda: "/admin/reports/workflow/",
    "workflow tasks report": lambda: "/admin/reports/workflow_tasks/",
    "locked items": lambda: "/admin/reports/locked/",
    "admin home": lambda: reverse("wagtailadmin_home"),
}


@pytest.mark.parametrize("role", ROLES)
def test_lists_show_only_what_the_role_serves(client, world, role):
    users, objects = world
    _login(client, users, role)
    wrong = []
    for name, build in LISTS.items():
        response = client.get(build())
        body = _body(response).decode(errors="replace")
        for place in PLACES:
            if not serves(role, place):
                wrong += [
                    f"{role} read {secret!r} in the {name}"
                    for secret in objects[place]["secrets"]
                    if secret in body
                ]
            elif (
                role.endswith(("reviewer", "registrar", "both", "superuser"))
                and name in ("queue", "queue results")
                and objects[place]["submitted"].name not in body
            ):
                wrong.append(f"{role} misses {place}'s application in the {name}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ("both", "superuser"))
def test_who_serves_both_sees_both(client, world, role):
    users, objects = world
    client.force_login(users[role])
    body = client.get(reverse(f"{_org}:list")).content.decode()
    for place in PLACES:
        assert objects[place]["submitted"].name in body
        assert objects[place]["published"].name in body
        assert client.get(GET_URLS["review screen"](objects[place])).status_code == 200
        assert client.get(GET_URLS["report edit"](objects[place])).status_code == 200
    reports = client.get(reverse(f"{_report}:list")).content.decode()
    assert all(objects[place]["published"].name in reports for place in PLACES)


def test_the_dashboard_counts_only_the_municipalitys_registrations(client, world):
    users, _objects = world
    submitted = {code: n for code, _label, n in dashboard.applications_by_status()}["submitted"]
    assert submitted == 2
    for role, expected in (("lima_reviewer", 1), ("carmen_registrar", 1), ("both", 2), ("superuser", 2)):
        by_status = {code: n for code, _label, n in dashboard.applications_by_status(user=users[role])}
        assert by_status["submitted"] == expected, role
        published = sum(n for _name, n in dashboard.listings_by("district", user=users[role]))
        assert published == expected, role
    client.force_login(users["carmen_reviewer"])
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'data-status="submitted">1<' in body


def test_personal_data_requests_stay_with_their_municipality(client, world):
    users, objects = world
    holder = objects["carmen"]["submitted"].memberships.get().user
    holder.email = "titular@example.org"
    holder.save()
    lima_only = UserFactory(username="solo-lima", email="limeno@example.org")
    OrganizationFactory(owner=lima_only, name="Borrador Limeño", municipality=home_municipality())

    client.force_login(users["lima_registrar"])
    for kind in ("access", "deletion"):
        response = client.post(
            "/admin/datos-personales/",
            {"email": holder.email, "kind": kind, "confirm_deletion": "on"},
        )
        assert response.status_code == 400
        assert "otra municipalidad" in response.content.decode()
    holder.refresh_from_db()  # still there
    assert not PersonalDataRequest.objects.exists()

    client.force_login(users["carmen_registrar"])
    assert (
        client.post("/admin/datos-personales/", {"email": holder.email, "kind": "access"}).status_code == 200
    )
    client.force_login(users["lima_registrar"])
    assert (
        client.post("/admin/datos-personales/", {"email": lima_only.email, "kind": "access"}).status_code
        == 200
    )

    carmen_record, lima_record = (
        PersonalDataRequest.objects.get(subject_reference=f"user:{holder.pk}"),
        PersonalDataRequest.objects.get(subject_reference=f"user:{lima_only.pk}"),
    )
    for role, shown, hidden in (
        ("lima_registrar", lima_record, carmen_record),
        ("carmen_registrar", carmen_record, lima_record),
    ):
        client.force_login(users[role])
        body = client.get("/admin/datos-personales/").content.decode()
        assert shown.subject_reference in body
        assert hidden.subject_reference not in body
    client.force_login(users["both"])  # reviewers and registrars of both
    body = client.get("/admin/datos-personales/").content.decode()
    assert carmen_record.subject_reference in body and lima_record.subject_reference in body


def test_import_history_shows_the_municipalitys_imports(client, world):
    users, objects = world
    from registry.importexport.models import RegistryImport

    for place in PLACES:
        municipality = objects[place]["municipality"]
        log(
            instance=RegistryImport(file_name=f"lista-{place}.csv"),
            action=IMPORT_ACTION,
            title=f"lista-{place}.csv",
            data={
                "file_name": f"lista-{place}.csv",
                "municipality_id": municipality.pk,
                "municipality": municipality.name,
            },
        )
    for role in ("lima_registrar", "carmen_registrar"):
        client.force_login(users[role])
        body = client.get("/admin/registry/transfer/import/").content.decode()
        own = role.split("_")[0]
        other = "carmen" if own == "lima" else "lima"
        assert f"lista-{own}.csv" in body
        assert f"lista-{other}.csv" not in body


@pytest.fixture
def carmen_site(world, carmen):
    """Carmen de la Legua's own site and page tree; its editors get rights there."""
    from wagtail.models import Page, Site

    from registry.permissions import ensure_staff_groups

    home = Page.get_first_root_node().add_child(instance=Page(title="Inicio Chalaco", slug="inicio-chalaco"))
    carmen.site = Site.objects.create(hostname="carmen.localhost", root_page=home, site_name="Carmen")
    carmen.save()
    ensure_staff_groups(municipality=carmen)
    return home


def test_editors_edit_only_their_municipalitys_pages(client, world, carmen_site):
    from wagtail.models import Page, Site

    users, _objects = world
    lima_home = Site.objects.get(is_default_site=True).root_page
    edit = lambda page: reverse("wagtailadmin_pages:edit", args=[page.pk])  # noqa: E731

    client.force_login(users["carmen_editor"])
    assert client.get(edit(carmen_site)).status_code == 200
    response = client.get(edit(lima_home))
    assert response.status_code in REFUSED and lima_home.title not in response.content.decode()

    client.force_login(users["lima_editor"])
    assert client.get(edit(lima_home)).status_code == 200
    response = client.get(edit(carmen_site))
    assert response.status_code in REFUSED and "Inicio Chalaco" not in response.content.decode()
    client.post(edit(carmen_site), {"title": "Tomado", "slug": "inicio-chalaco", "action-publish": "1"})
    client.post(reverse("wagtailadmin_pages:add_subpage", args=[carmen_site.pk]))
    carmen_site.refresh_from_db()
    assert carmen_site.title == "Inicio Chalaco" and not carmen_site.get_children().exists()
    assert Page.objects.get(pk=carmen_site.pk).latest_revision is None


def test_editors_reach_only_their_municipalitys_collection(client, world, carmen, carmen_site):
    """Each municipality's editors keep images in its own child collection (the home one's
    too: rights on the root collection would pass to every child)."""
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import Collection

    from registry.permissions import municipal_collection

    users, _objects = world
    images = {
        "lima": Image.objects.create(
            title="Foto limeña",
            file=get_test_image_file(),
            collection=municipal_collection(home_municipality()),
        ),
        "carmen": Image.objects.create(
            title="Foto chalaca", file=get_test_image_file(), collection=municipal_collection(carmen)
        ),
        "root": Image.objects.create(
            title="Foto general", file=get_test_image_file(), collection=Collection.get_first_root_node()
        ),
    }
    for own, other in (("lima", "carmen"), ("carmen", "lima")):
        client.force_login(users[f"{own}_editor"])
        assert client.get(reverse("wagtailimages:edit", args=[images[own].pk])).status_code == 200
        for foreign in (other, "root"):
            response = client.get(reverse("wagtailimages:edit", args=[images[foreign].pk]))
            assert response.status_code in REFUSED, (own, foreign)
            client.post(reverse("wagtailimages:delete", args=[images[foreign].pk]))
            assert Image.objects.filter(pk=images[foreign].pk).exists()
        listing = client.get(reverse("wagtailimages:index")).content.decode()
        assert images[own].title in listing
        assert images[other].title not in listing and "Foto general" not in listing


def test_the_home_editors_lose_rights_on_the_root_collection(world):
    """Groups made before each municipality had its own collection: ensure_staff_groups moves
    the rights from the root to the municipality's collection."""
    from django.contrib.auth.models import Permission
    from wagtail.models import Collection, GroupCollectionPermission

    from registry.permissions import ensure_staff_groups, municipal_collection

    users, _objects = world
    editors = users["lima_editor"].groups.get()
    root = Collection.get_first_root_node()
    GroupCollectionPermission.objects.create(
        group=editors, collection=root, permission=Permission.objects.get(codename="change_image")
    )
    ensure_staff_groups()
    assert not GroupCollectionPermission.objects.filter(group=editors, collection=root).exists()
    assert GroupCollectionPermission.objects.filter(
        group=editors, collection=municipal_collection(home_municipality())
    ).exists()
