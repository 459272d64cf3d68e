"""Personal-data requests under Ley 29733, online (by the holder) or at the office (by staff).

Both channels share the same export and deletion (services.applications) and leave the same
record, which holds what was done and for which account id, never the personal data itself.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..jurisdiction import served_municipality_ids
from ..models import Organization, PersonalDataRequest
from ..security.two_factor import is_staff_user
from .applications import delete_account, export_personal_data

logger = logging.getLogger(__name__)


def is_applicant_account(user) -> bool:
    """Accounts the office may export or delete: applicants', never staff's.

    Staff accounts (admin access, a staff group, a superuser) are managed by administrators in
    Wagtail's user screens; otherwise a Registrador could delete a superuser or read a colleague's
    account data from the personal-data screen."""
    return not (is_staff_user(user) or user.is_superuser or user.groups.exists())


def holder_municipality_ids(subject) -> set[int]:
    """The municipalities whose registries hold the person's registrations."""
    return set(Organization.objects.managed_by(subject).values_list("municipality_id", flat=True))


def may_handle(handled_by, subject) -> bool:
    """Whether this staff member's office may carry out a request of this holder: every
    registration of the holder belongs to a municipality they serve (registry.jurisdiction), so
    one municipality's office never exports or deletes another's records."""
    served = served_municipality_ids(handled_by)
    return served is None or holder_municipality_ids(subject) <= served


def _check_staff(handled_by, subject):
    if handled_by is None:
        return
    if not handled_by.has_perm("registry.handle_personal_data_request"):
        raise PermissionDenied
    if not is_applicant_account(subject):
        raise PermissionDenied("staff accounts are managed by administrators")
    if not may_handle(handled_by, subject):
        raise PermissionDenied("the holder has registrations with another municipality")


def _concerned(subject, handled_by) -> set[int]:
    """The municipalities a request concerns: the holder's registrations', else (a holder with
    none, at the office) those the staff member serves."""
    ids = holder_municipality_ids(subject)
    if not ids and handled_by is not None:
        ids = set(served_municipality_ids(handled_by) or ())
    return ids


def _record(*, subject, handled_by, kind, notes, result, municipality_ids):
    record = PersonalDataRequest.objects.create(
        kind=kind,
        channel=PersonalDataRequest.Channel.OFFICE if handled_by else PersonalDataRequest.Channel.ONLINE,
        subject_reference=f"user:{subject.pk}",
        handled_by=handled_by,
        notes=notes[:300],
        result=result,
    )
    record.municipalities.set(municipality_ids)
    return record


def access_request(*, subject, handled_by=None, notes: str = "") -> dict:
    _check_staff(handled_by, subject)
    concerned = _concerned(subject, handled_by)
    data = export_personal_data(user=subject)
    _record(
        subject=subject,
        handled_by=handled_by,
        kind=PersonalDataRequest.Kind.ACCESS,
        notes=notes,
        result={"organizations": len(data["organizations"])},
        municipality_ids=concerned,
    )
    logger.info("personal data access request", extra={"channel": "office" if handled_by else "online"})
    return data


@transaction.atomic
def deletion_request(*, subject, handled_by=None, notes: str = "") -> dict:
    _check_staff(handled_by, subject)
    concerned = _concerned(subject, handled_by)
    result = delete_account(user=subject)
    _record(
        subject=subject,
        handled_by=handled_by,
        kind=PersonalDataRequest.Kind.DELETION,
        notes=notes,
        result=result,
        municipality_ids=concerned,
    )
    return result
