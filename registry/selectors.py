"""Reads of the registry for the applicant's pages (HackSoft style: reads here, writes in services)."""

from django.http import Http404

from .jurisdiction import within_reach
from .models import Organization, SupportingDocument
from .security.two_factor import staff_powers_withheld


def managed_organization(*, user, pk) -> Organization:
    """The organization if this user manages it; 404 otherwise, so nobody learns it exists."""
    try:
        return Organization.objects.managed_by(user).select_related("sector", "district").get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def user_can_see_private_data(user, organization: Organization) -> bool:
    if not user.is_authenticated:
        return False
    if organization.memberships.filter(user=user).exists():
        return True
    # Staff reach other people's data through a permission, and only once the second factor is
    # passed (the same rule as the admin).
    if staff_powers_withheld(user):
        return False
    if not (user.is_superuser or user.has_perm("registry.view_private_data")):
        return False
    return Organization.objects.visible_to_staff(user).filter(pk=organization.pk).exists()


STAFF_READER_PERMISSIONS = (
    "registry.review_organization",
    "registry.approve_organization",
    "registry.view_private_data",
)


def organizations_for_staff(user):
    """The organizations an admin user may open or choose, of the municipalities they serve
    (registry.jurisdiction): for reviewers and registrars, all but applicants' unsubmitted
    drafts; for anyone else in the admin (editors picking featured listings), published
    listings only."""
    if user.is_superuser or any(user.has_perm(p) for p in STAFF_READER_PERMISSIONS):
        return Organization.objects.visible_to_staff(user)
    return within_reach(Organization.objects.published(), user)


def private_document(*, user, organization_pk, document_pk) -> SupportingDocument:
    """A document for its organization's managers and for staff allowed to see private data."""
    document = (
        SupportingDocument.objects.select_related("organization")
        .filter(pk=document_pk, organization_id=organization_pk)
        .first()
    )
    if document is None or not user_can_see_private_data(user, document.organization):
        raise Http404
    return document


def my_organizations(*, user):
    return (
        Organization.objects.managed_by(user)
        .select_related("sector", "district")
        .prefetch_related("observations")
        .order_by("-updated_at")
    )
