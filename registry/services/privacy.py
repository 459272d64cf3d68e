"""Personal-data requests under Ley 29733, online (by the holder) or at the office (by staff).

Both channels share the same export and deletion (services.applications) and leave the same
record, which holds what was done and for which account id, never the personal data itself.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import PersonalDataRequest
from ..security.two_factor import is_staff_user
from .applications import delete_account, export_personal_data

logger = logging.getLogger(__name__)


def is_applicant_account(user) -> bool:
    """Accounts the office may export or delete: applicants', never staff's.

    Staff accounts (admin access, a staff group, a superuser) are managed by administrators in
    Wagtail's user screens; otherwise a Registrador could delete a superuser or read a colleague's
    account data from the personal-data screen."""
    return not (is_staff_user(user) or user.is_superuser or user.groups.exists())


def _check_staff(handled_by, subject):
    if handled_by is None:
        return
    if not handled_by.has_perm("registry.handle_personal_data_request"):
        raise PermissionDenied
    if not is_applicant_account(subject):
        raise PermissionDenied("staff accounts are managed by administrators")


def access_request(*, subject, handled_by=None, notes: str = "") -> dict:
    _check_staff(handled_by, subject)
    data = export_personal_data(user=subject)
    PersonalDataRequest.objects.create(
        kind=PersonalDataRequest.Kind.ACCESS,
        channel=PersonalDataRequest.Channel.OFFICE if handled_by else PersonalDataRequest.Channel.ONLINE,
        subject_reference=f"user:{subject.pk}",
        handled_by=handled_by,
        notes=notes[:300],
        result={"organizations": len(data["organizations"])},
    )
    logger.info("personal data access request", extra={"channel": "office" if handled_by else "online"})
    return data


@transaction.atomic
def deletion_request(*, subject, handled_by=None, notes: str = "") -> dict:
    _check_staff(handled_by, subject)
    reference = f"user:{subject.pk}"
    result = delete_account(user=subject)
    PersonalDataRequest.objects.create(
        kind=PersonalDataRequest.Kind.DELETION,
        channel=PersonalDataRequest.Channel.OFFICE if handled_by else PersonalDataRequest.Channel.ONLINE,
        subject_reference=reference,
        handled_by=handled_by,
        notes=notes[:300],
        result=result,
    )
    return result
