"""What happened to an application, read back from Wagtail's audit log.

Every review decision writes a `registry.*` log entry (registry/services/review.py). This module
reads them back twice: `timeline_for`, the applicant's (and staff's) full story, "when, who,
what, why", where staff appear as "Municipal staff" (applicants deal with the office, and
reviewers' names are theirs to keep); and `public_history`, what the public register says on
/verify/, as registers such as Companies House show: registered on, changes of name, legal form,
district and public address, suspensions, withdrawals and reinstatements, with a reason only
where staff chose to make it public.

`timeline_for` also tells where each notice about the application stands (the outbox,
registry.models.Notification): sent by e-mail on …, retrying, could not be delivered. The
applicant sees the notices sent to the organization's people, staff see all of them with the
recipient and the last error.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from wagtail.models import ModelLogEntry

from .models import Notification, ObservationReason, Organization, OrganizationMembership
from .services import review


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    who: str
    what: str
    why: str = ""
    action: str = ""
    details: list[str] = field(default_factory=list)
    deadline: date | None = None
    by_staff: bool = True
    notification: Notification | None = None


def _what(action: str) -> str:
    return {
        review.SUBMIT: _("Application sent to the municipal staff"),
        review.RESUBMIT: _("Observations answered; application sent again"),
        review.CHECK_PASSED: _("Documents checked; waiting for the registrar's approval"),
        review.APPROVE: _("Registration approved"),
        review.APPROVE_CHANGES: _("Your changes were approved and published"),
        review.OBSERVE: _("The staff sent observations"),
        review.REJECT: _("Application rejected"),
        review.REJECT_CHANGES: _("Your proposed changes were not accepted"),
        review.VERIFY_STEP: _("A formalization step was verified"),
        review.SUSPEND: _("Registration suspended"),
        review.UNPUBLISH: _("Listing taken off the directory"),
        review.REINSTATE: _("Registration reinstated"),
        review.CONFIRM: _("You confirmed that the public data is still correct"),
    }.get(action, action)


def timeline_for(organization: Organization, *, staff: bool = False) -> list[TimelineEntry]:
    """Oldest first. With `staff=True` staff see their colleagues' names instead of the office."""
    entries = (
        ModelLogEntry.objects.for_instance(organization)
        .filter(action__startswith="registry.")
        .select_related("user")
        .order_by("timestamp", "pk")
    )
    members = set(
        OrganizationMembership.objects.filter(organization=organization).values_list("user_id", flat=True)
    )
    reason_labels = {r.code: str(r) for r in ObservationReason.objects.all()}
    timeline = []
    for entry in entries:
        data = entry.data or {}
        by_staff = entry.user_id not in members
        if by_staff and not staff:
            who = _("Municipal staff")
        elif entry.user is not None:
            who = entry.user.get_full_name() or entry.user.get_username()
        else:
            who = _("Municipal staff")
        details = [reason_labels.get(code, code) for code in data.get("reasons", [])]
        if data.get("registry_number") and entry.action == review.APPROVE:
            details.append(_("Registry number: %(number)s") % {"number": data["registry_number"]})
        if entry.action == review.VERIFY_STEP and data.get("title"):
            details.append(data["title"])
        deadline = data.get("deadline")
        timeline.append(
            TimelineEntry(
                when=entry.timestamp,
                who=who,
                what=_what(entry.action),
                why=data.get("reason")
                or data.get("message")
                or data.get("response")
                or data.get("comment")
                or "",
                action=entry.action,
                details=details,
                deadline=date.fromisoformat(deadline) if deadline else None,
                by_staff=by_staff,
            )
        )
    timeline += notification_entries(organization, staff=staff)
    timeline.sort(key=lambda entry: entry.when)
    return timeline


def _notification_what(notification: Notification) -> str:
    channel = {
        "email": pgettext("notice sent by", "e-mail"),
        "sms": pgettext("notice sent by", "SMS"),
        "whatsapp": pgettext("notice sent by", "WhatsApp"),
    }.get(notification.channel, notification.channel)
    State = Notification.State
    if notification.state == State.SENT:
        return _("Notice sent by %(channel)s") % {"channel": channel}
    if notification.state == State.RETRYING:
        return _("Sending the notice by %(channel)s failed; retrying") % {"channel": channel}
    if notification.state == State.FAILED:
        return _("The notice by %(channel)s could not be delivered") % {"channel": channel}
    if notification.state == State.CANCELLED:
        return _("Notice by %(channel)s cancelled") % {"channel": channel}
    return _("Notice by %(channel)s waiting to be sent") % {"channel": channel}


def notification_entries(organization: Organization, *, staff: bool = False) -> list[TimelineEntry]:
    """One entry per notice about `organization`, dated when it was sent (or written)."""
    from .notifications import subject  # lazy: notifications renders with the models this reads

    rows = Notification.objects.filter(organization=organization).select_related("organization")
    if not staff:
        rows = rows.filter(audience=Notification.Audience.APPLICANT)
    entries = []
    for row in rows:
        lines = [subject(row)]
        if row.state == Notification.State.RETRYING:
            when = formats.date_format(timezone.localtime(row.next_attempt_at), "SHORT_DATETIME_FORMAT")
            lines.append(_("Next attempt: %(when)s") % {"when": when})
        details = []
        if staff and row.recipient:  # empty once redacted (account deletion, retention)
            details.append(_("To: %(recipient)s") % {"recipient": row.recipient})
            if row.last_error and row.state != Notification.State.SENT:
                details.append(row.last_error)
        entries.append(
            TimelineEntry(
                when=row.sent_at or row.created_at,
                who="",
                what=_notification_what(row),
                why="\n".join(lines),
                action=f"notification.{row.state}",
                details=details,
                by_staff=False,
                notification=row,
            )
        )
    return entries


@dataclass(frozen=True)
class PublicEvent:
    when: datetime
    what: str
    details: list[str] = field(default_factory=list)
    reason: str = ""
    action: str = ""


def _change_lines(changes: dict) -> list[str]:
    labels = {
        "name": _("Name"),
        "legal_form": _("Legal form"),
        "district": _("District"),
        "address": _("Address"),
    }
    lines = []
    for name, (old, new) in changes.items():
        if name not in labels:
            continue
        if name == "address" and not (old and new):
            # A public address that became private (or the reverse) is not shown as a value.
            lines.append(_("%(field)s changed") % {"field": labels[name]})
        else:
            lines.append(
                _("%(field)s: “%(old)s” → “%(new)s”")
                % {"field": labels[name], "old": old or "—", "new": new or "—"}
            )
    return lines


def public_history(organization: Organization) -> list[PublicEvent]:
    """The register's public history of a registration, oldest first."""
    registered = _("Registered")
    what = {
        review.APPROVE: registered,
        review.APPROVE_CHANGES: _("Registration details changed"),
        review.SUSPEND: _("Registration suspended"),
        review.UNPUBLISH: _("Withdrawn from the public directory"),
        review.REINSTATE: _("Registration reinstated"),
    }
    entries = (
        ModelLogEntry.objects.for_instance(organization)
        .filter(action__in=list(what))
        .order_by("timestamp", "pk")
        .only("timestamp", "action", "data")
    )
    events = []
    for entry in entries:
        data = entry.data or {}
        details = []
        if entry.action == review.APPROVE_CHANGES:
            details = _change_lines(data.get("public_changes") or {})
            if not details:
                continue  # private changes (people, documents) are not the public's
        if entry.action == review.APPROVE and data.get("source") == "import":
            details = [_("From the municipal office's list")]
        events.append(
            PublicEvent(
                when=entry.timestamp,
                what=what[entry.action],
                details=details,
                reason=data.get("reason", "") if data.get("reason_public") else "",
                action=entry.action,
            )
        )
    return events


def withdrawal_details_public(organization: Organization) -> bool:
    """Whether staff chose, when they last withdrew this listing, to keep its name and history
    on /verify/ (registry.services.review.unpublish's `details_public`)."""
    entry = (
        ModelLogEntry.objects.for_instance(organization)
        .filter(action=review.UNPUBLISH)
        .order_by("-timestamp", "-pk")
        .only("data")
        .first()
    )
    return bool(entry and (entry.data or {}).get("details_public"))
