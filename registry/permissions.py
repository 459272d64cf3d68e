"""Staff groups and what each may do. One place, used by seed_demo and add_municipality (which
create or complete each municipality's groups) and the tests.

Every municipality has its own three groups with the same permissions; which municipality's
records a member reaches is registry.jurisdiction's rule. The home municipality's groups keep the
plain names (Revisores, Registradores, Editores); another's carry its short name.
"""

from django.contrib.auth.models import Group, Permission

REVIEWERS = "Revisores"
REGISTRARS = "Registradores"
EDITORS = "Editores"

# Who links, merges or dismisses likely duplicates (registry.services.duplicates): the registrars,
# who approve registrations and assign their numbers; reviewers see the pairs but do not decide.
DECIDE_DUPLICATES = "registry.approve_organization"

_REVIEWER_PERMS = [
    ("wagtailadmin", "access_admin"),
    ("registry", "view_organization"),
    ("registry", "change_organization"),
    ("registry", "review_organization"),
    ("registry", "view_private_data"),
    ("registry", "view_observation"),
    ("registry", "add_observation"),
    ("registry", "view_listingreport"),
    ("registry", "change_listingreport"),
]
_REGISTRAR_PERMS = _REVIEWER_PERMS + [
    ("registry", "handle_personal_data_request"),
    ("registry", "approve_organization"),
    ("registry", "publish_organization"),
    # Their own municipality's registry number prefix, and nothing else of it
    # (registry.municipality_admin).
    ("registry", "view_municipality"),
    ("registry", "change_municipality"),
    ("registry", "add_organization"),
    ("registry", "lock_organization"),
    ("registry", "unlock_organization"),
    ("registry", "change_sector"),
    ("registry", "add_sector"),
    ("registry", "change_observationreason"),
    ("registry", "add_observationreason"),
    # Import and export (registry/importexport); exporting people's private data is a separate
    # permission ("export_private_registry") that an administrator gives person by person.
    ("registry_importexport", "import_registry"),
    ("registry_importexport", "export_registry"),
]
_EDITOR_PERMS = [
    ("wagtailadmin", "access_admin"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    # Not the office's settings (name, address, hours, contact shown on every page): they speak
    # for the municipality, so administrators change them; the registry number prefix is the
    # Registradores' (_REGISTRAR_PERMS).
    ("cms", "change_navigationsettings"),
    # "Translate" in a page's menu: copy a page or a tree to English (wagtail.contrib.simple_translation).
    ("simple_translation", "submit_translation"),
    ("registry", "add_formalizationstep"),  # a municipality's local steps (registry.formalization_viewsets)
    ("registry", "change_formalizationstep"),
    ("registry", "view_formalizationstep"),
    # Their municipality's own paperwork texts (registry.paperwork_viewsets).
    ("registry", "add_paperworktemplate"),
    ("registry", "change_paperworktemplate"),
    ("registry", "delete_paperworktemplate"),
    ("registry", "view_paperworktemplate"),
    # The directory's search synonyms (Settings → Search synonyms): vocabulary, like the guides.
    ("directory_search", "view_synonym"),
    ("directory_search", "add_synonym"),
    ("directory_search", "change_synonym"),
    ("directory_search", "delete_synonym"),
]
GROUP_PERMISSIONS = {REVIEWERS: _REVIEWER_PERMS, REGISTRARS: _REGISTRAR_PERMS, EDITORS: _EDITOR_PERMS}
# Rights a group once had and must lose where it was created before (taken away, not only no
# longer given). Migration 0009 does the same for existing installations.
WITHDRAWN_PERMISSIONS = {EDITORS: [("cms", "change_officesettings")]}


ROLES = {REVIEWERS: "reviewers", REGISTRARS: "registrars", EDITORS: "editors"}


def group_name(base: str, municipality) -> str:
    from .models import home_municipality

    home = home_municipality()
    if municipality is None or (home is not None and municipality.pk == home.pk):
        return base
    return f"{base} · {municipality.short_name}"


def _municipal_group(base: str, municipality) -> Group:
    """The municipality's group for this role, created (and linked) when missing."""
    from .models import MunicipalStaffGroup

    role = ROLES[base]
    link = MunicipalStaffGroup.objects.filter(municipality=municipality, role=role).select_related("group")
    if link.exists():
        return link.get().group
    group, _ = Group.objects.get_or_create(name=group_name(base, municipality))
    MunicipalStaffGroup.objects.update_or_create(
        group=group, defaults={"municipality": municipality, "role": role}
    )
    return group


def ensure_staff_groups(root_page=None, municipality=None):
    """Create or complete a municipality's three staff groups (the home municipality's by
    default); editors get page rights below root_page (by default the municipality's site root)
    and image and document rights in its collection."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

    from .models import home_municipality

    municipality = municipality or home_municipality()
    if root_page is None and municipality is not None and municipality.site_id:
        root_page = municipality.site.root_page.specific
    groups = {}
    for name, wanted in GROUP_PERMISSIONS.items():
        if municipality is None:
            group, _ = Group.objects.get_or_create(name=name)
        else:
            group = _municipal_group(name, municipality)
        perms = []
        for app_label, codename in wanted:
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm:
                perms.append(perm)
        group.permissions.add(*perms)
        for app_label, codename in WITHDRAWN_PERMISSIONS.get(name, []):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        groups[name] = group

    editors = groups[EDITORS]
    if root_page is not None:
        # The site's home and its translations: each language's page tree starts at one of them.
        homes = [root_page, *root_page.get_translations()]
        for permission_type in ("add", "change", "publish", "lock", "unlock"):
            perm = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=f"{permission_type}_page"
            )
            for home in homes:
                GroupPagePermission.objects.get_or_create(group=editors, page=home, permission=perm)
    collection = municipal_collection(municipality)
    if collection and not collection.is_root():
        # Rights on the root (given before each municipality had its own collection) would
        # reach every municipality's images and documents.
        GroupCollectionPermission.objects.filter(
            group=editors, collection=Collection.get_first_root_node()
        ).delete()
        for codename in (
            "add_image",
            "change_image",
            "choose_image",
            "add_document",
            "change_document",
            "choose_document",
        ):
            perm = Permission.objects.filter(codename=codename).first()
            if perm:
                GroupCollectionPermission.objects.get_or_create(
                    group=editors, collection=collection, permission=perm
                )
    return groups


def municipal_collection(municipality):
    """Where a municipality's editors keep images and documents: a child collection of the root
    named after it, for the home municipality as for any other, so its editors reach no other
    municipality's (collection rights pass to descendants, so rights on the root would reach
    them all)."""
    from wagtail.models import Collection

    from .models import home_municipality

    root = Collection.get_first_root_node()
    municipality = municipality or home_municipality()
    if root is None or municipality is None:
        return root
    existing = root.get_children().filter(name=municipality.name).first()
    return existing or root.add_child(name=municipality.name)
