"""Personal-data requests under Ley 29733, online (by the holder) or at the office (by staff).

Both channels share the same export and deletion (services.applications) and leave the same
record, which holds what was done and for which account id, never the personal data itself.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import PersonalDataRequest
from .applications import delete_account, export_personal_data

logger = logging.getLogger(__name__)


def _check_staff(handled_by):
    if handled_by is not None and not handled_by.has_perm("registry.handle_personal_data_request"):
        raise PermissionDenied


def access_request(*, subject, handled_by=None, notes: str = "") -> dict:
    _check_staff(handled_by)
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
    _check_staff(handled_by)
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
