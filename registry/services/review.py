"""The staff review: every change of state of an application or a listing after the wizard.

One function per action (submit, answer an observation, approve, observe, reject, verify a
formalization step, suspend, unpublish, reinstate, and the applicant's confirmation that a
listing's data is still correct). Each one:

- locks the organization's row (SELECT … FOR UPDATE) inside one transaction, so two staff acting
  at once queue on the row and the second sees that the first already decided;
- checks who may do it in one place (`_check`), including Wagtail's edit lock and "a reviewer
  cannot decide on their own organization";
- moves Wagtail's workflow (which writes its own history), updates `Organization.status`, writes a
  `registry.*` entry in Wagtail's audit log (the applicant's timeline is built from these) and
  sends the e-mails once the transaction has committed.

Views, the admin, the Wagtail workflow task, commands and tests all call these functions.
"""

import json
from collections.abc import Iterable
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Revision, TaskState, WorkflowState

from .. import admin_index, bulk, jurisdiction, notifications, public, revisions
from ..models import (
    ApplicationStatus,
    ListingReport,
    Observation,
    ObservationReason,
    Organization,
    OrganizationMembership,
    OrganizationStep,
    StepStatus,
)
from ..models.formalization import EvidenceKind
from ..notifications import ApplicantEvent, StaffEvent
from . import duplicates
from .applications import application_problems, has_pending_proposal, working_copy
from .registry_numbers import next_registry_numbers, registry_prefix

# Custom actions of Wagtail's audit log (registered in registry/wagtail_hooks.py).
SUBMIT = "registry.submit"
RESUBMIT = "registry.resubmit"
CHECK_PASSED = "registry.check_passed"
APPROVE = "registry.approve"
APPROVE_CHANGES = "registry.approve_changes"
OBSERVE = "registry.observe"
REJECT = "registry.reject"
REJECT_CHANGES = "registry.reject_changes"
VERIFY_STEP = "registry.verify_step"
SUSPEND = "registry.suspend"
UNPUBLISH = "registry.unpublish"
REINSTATE = "registry.reinstate"
CONFIRM = "registry.confirm"

# Statuses of an application waiting for staff.
PENDING = {ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.OBSERVED}


class ReviewError(Exception):
    """A review action that cannot happen; the message is for the person who tried."""


class ReviewNotAllowed(ReviewError, PermissionDenied):
    """This user may not do this (wrong group, own organization, not a member)."""


class ReviewConflict(ReviewError):
    """The application is no longer in the state the action expects (already decided by someone
    else, locked by another member of staff, nothing to answer)."""


# ----- permissions: the one place ------------------------------------------------------------


# The state each action needs, besides the permission: the same check answers the action, the
# admin's buttons and the templates (through `can`).
def _registered(organization: Organization) -> bool:
    return bool(organization.registry_number)


STATE_RULES = {
    "confirm": (
        lambda o: o.status == ApplicationStatus.APPROVED and o.live,
        gettext_lazy("Only a listing shown in the directory can be confirmed."),
    ),
    "suspend": (
        lambda o: o.status == ApplicationStatus.APPROVED,
        gettext_lazy("Only an approved registration can be suspended."),
    ),
    "unpublish": (
        lambda o: o.status == ApplicationStatus.APPROVED and o.live,
        gettext_lazy("This listing is not published."),
    ),
    "reinstate": (
        lambda o: (
            _registered(o)
            and (
                o.status == ApplicationStatus.SUSPENDED
                or (o.status == ApplicationStatus.APPROVED and not o.live)
            )
        ),
        gettext_lazy("This listing is neither suspended nor unpublished."),
    ),
}

# What the organization's own people do to their listing, not staff.
MEMBER_ACTIONS = {"confirm"}

STAFF_PERMISSIONS = {
    "approve": None,  # decided by the workflow task's groups
    "observe": None,
    "reject": "registry.approve_organization",
    "verify_step": "registry.review_organization",
    "suspend": "registry.approve_organization",
    "unpublish": "registry.approve_organization",
    "reinstate": "registry.approve_organization",
}


def is_member(user, organization: Organization) -> bool:
    return (
        user.is_authenticated
        and OrganizationMembership.objects.filter(organization=organization, user=user).exists()
    )


def _check(action: str, *, user, organization: Organization, task_state: TaskState | None = None) -> None:
    """Raise ReviewNotAllowed or ReviewConflict unless `user` may do `action` now."""
    if not user or not user.is_authenticated or not user.is_active:
        raise ReviewNotAllowed(_("You must be logged in."))
    if action in {"submit", "resubmit"}:
        if not is_member(user, organization):
            raise ReviewNotAllowed(_("Only the people who manage this organization can submit it."))
        return
    if action in MEMBER_ACTIONS:
        if not is_member(user, organization):
            raise ReviewNotAllowed(_("Only the people who manage this organization can do this."))
        allowed, refusal = STATE_RULES[action]
        if not allowed(organization):
            raise ReviewConflict(str(refusal))
        return

    if is_member(user, organization):
        raise ReviewNotAllowed(_("You cannot review an organization you are a member of."))
    if not jurisdiction.serves(user, organization.municipality_id):
        raise ReviewNotAllowed(_("This registration belongs to another municipality's registry."))
    if organization.locked and organization.locked_by_id != user.pk:
        raise ReviewConflict(
            _("%(name)s locked this application on %(when)s; ask them to unlock it first.")
            % {
                "name": _display_name(organization.locked_by),
                "when": timezone.localtime(organization.locked_at).strftime("%Y-%m-%d %H:%M")
                if organization.locked_at
                else "—",
            }
        )
    permission = STAFF_PERMISSIONS[action]
    if permission is not None:
        if not user.has_perm(permission):
            raise ReviewNotAllowed(_("Your staff group cannot do this."))
        if action in STATE_RULES:
            allowed, refusal = STATE_RULES[action]
            if not allowed(organization):
                raise ReviewConflict(str(refusal))
        return
    # Workflow actions: the groups of the task the application is at decide.
    if task_state is None:
        raise ReviewConflict(
            _(
                "This application is not waiting for a review: it was already decided or sent back to the applicant."
            )
        )
    if not task_state.task.specific.get_actions(organization, user):
        raise ReviewNotAllowed(
            _("This step (%(task)s) is for another staff group.") % {"task": task_state.task.name}
        )


def can(action: str, *, user, organization: Organization) -> bool:
    """Whether the admin should offer this action to this user (the same rule as the action)."""
    try:
        _check(action, user=user, organization=organization, task_state=_current_task_state(organization))
    except ReviewError:
        return False
    return True


def awaiting(queryset, *, user):
    """The organizations whose review waits for `user`: each at a workflow task of one of their
    groups (the reviewers' document check, the registrars' approval), as `_check` asks of the
    workflow actions, and not their own; for a superuser, every pending application and every
    change waiting for staff."""
    at_their_task = WorkflowState.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Organization),
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
        status=WorkflowState.STATUS_IN_PROGRESS,
        current_task_state__status=TaskState.STATUS_IN_PROGRESS,
    )
    if user.is_superuser:
        return queryset.filter(Exists(at_their_task) | Q(status__in=PENDING))
    at_their_task = at_their_task.filter(
        current_task_state__task__registryreviewtask__groups__in=user.groups.all()
    )
    return jurisdiction.within_reach(queryset.filter(Exists(at_their_task)), user).exclude(
        memberships__user=user
    )


# ----- helpers -------------------------------------------------------------------------------


def _display_name(user) -> str:
    if user is None:
        return _("someone")
    return user.get_full_name() or user.get_username()


def _locked(organization: Organization) -> Organization:
    """The organization's current row, locked until the transaction ends."""
    return Organization.objects.select_for_update().get(pk=organization.pk)


def _active_workflow_state(organization: Organization) -> WorkflowState | None:
    return (
        WorkflowState.objects.active()
        .filter(base_content_type=organization.get_base_content_type(), object_id=str(organization.pk))
        .select_related("current_task_state")
        .first()
    )


def _current_task_state(organization: Organization) -> TaskState | None:
    state = _active_workflow_state(organization)
    if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS or state.current_task_state is None:
        return None
    task_state = state.current_task_state
    return task_state if task_state.status == TaskState.STATUS_IN_PROGRESS else None


def _expect(task_state: TaskState | None, task_state_id: int | None) -> TaskState:
    """The task the caller decided on must still be the current one."""
    if task_state is None or (task_state_id is not None and task_state.pk != task_state_id):
        raise ReviewConflict(
            _("Someone else already decided on this application. Reload the page to see its current state.")
        )
    return task_state


def _is_change_request(organization: Organization) -> bool:
    """Proposed changes of a registered organization (its registration stays valid meanwhile)."""
    return organization.status in {ApplicationStatus.APPROVED, ApplicationStatus.SUSPENDED}


def candidate(organization: Organization) -> Organization:
    """What staff are asked to approve: the applicant's working copy (the latest revision once
    the application was first submitted, with its people, steps and documents)."""
    return working_copy(organization)


def _refuse_if_incomplete(organization: Organization) -> None:
    problems = application_problems(candidate(organization))
    if problems:
        raise ValidationError(problems)


def approved_revision_id(organization: Organization) -> int | None:
    """The revision staff last approved (Wagtail's live revision is cleared by unpublishing)."""
    if organization.live_revision_id:
        return organization.live_revision_id
    entry = (
        ModelLogEntry.objects.for_instance(organization)
        .filter(action__in=[APPROVE, APPROVE_CHANGES], revision__isnull=False)
        .order_by("-timestamp", "-pk")
        .first()
    )
    return entry.revision_id if entry else None


def public_record(organization: Organization) -> dict[str, str]:
    """What the public register says of an organization, for the history of its changes: the
    name, the legal form, the district and the address (only when public: registry.public)."""
    values = public.public_values(organization, badges=())
    return {
        "name": values["name"],
        "legal_form": organization.get_legal_form_display() if organization.legal_form else "",
        "district": values["district_name"] or "",
        "address": values["address"] or "",
    }


def _public_changes(before: dict, after: dict) -> dict[str, list[str]]:
    return {field: [before[field], after[field]] for field in before if before[field] != after[field]}


def _accept_proposed_documents(organization: Organization) -> None:
    """The documents of the approved revision join the record."""
    organization.documents.filter(proposed=True).update(proposed=False)


def _save_registration(organization: Organization, *fields: str) -> None:
    organization.save(update_fields=[*fields, "updated_at"])


def _log(organization: Organization, action: str, *, user, revision=None, **data) -> None:
    log(instance=organization, action=action, user=user, data=data, revision=revision)


def _stage_status(task_state: TaskState) -> str:
    """Submitted while at the first task, in review once the documents passed."""
    workflow_state = task_state.workflow_state
    first = workflow_state.workflow.tasks.first()
    return (
        ApplicationStatus.SUBMITTED
        if first and first.pk == task_state.task_id
        else ApplicationStatus.IN_REVIEW
    )


# ----- the applicant's side ------------------------------------------------------------------


@transaction.atomic
def submit_application(*, organization: Organization, user) -> WorkflowState:
    """Send a complete application (or an approved organization's proposed changes) to staff.

    A new application is snapshotted as a revision; an approved organization's wizard has already
    saved its edits as the latest revision, which is what staff review and what the last
    approval publishes.
    """
    organization = _locked(organization)
    _check("submit", user=user, organization=organization)
    if organization.status in {ApplicationStatus.REJECTED}:
        raise ReviewConflict(_("This application was rejected; it cannot be submitted again."))
    state = _active_workflow_state(organization)
    if state is not None:
        if state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            raise ReviewConflict(_("Answer the staff's observations to send the application again."))
        raise ReviewConflict(_("This application is already with the municipal staff."))
    _refuse_if_incomplete(organization)

    workflow = organization.get_workflow()
    if workflow is None:
        raise ReviewConflict(_("The review workflow is not installed; tell the municipal office."))
    is_change = _is_change_request(organization)
    if not is_change:
        organization.save_revision(user=user, clean=False)
        organization.status = ApplicationStatus.SUBMITTED
        organization.submitted_at = timezone.now()
        organization.decided_at = None
        organization.decision_reason = ""
        _save_registration(organization, "status", "submitted_at", "decided_at", "decision_reason")
    elif not has_pending_proposal(organization):
        raise ReviewConflict(_("There are no changes to send."))

    state = workflow.start(organization, user)
    _log(organization, SUBMIT, user=user, revision=organization.latest_revision, changes=is_change)
    # For staff's eyes only (the applicant is not told): the data submitted, the proposal's for changes.
    duplicates.record_for(candidate(organization) if is_change else organization)
    notifications.applicant(organization, ApplicantEvent.SUBMITTED)
    notifications.staff_group(state.current_task_state.task.specific, organization, StaffEvent.NEW_SUBMISSION)
    return state


def submit_imported(*, organizations: Iterable[Organization], user, file_name: str) -> int:
    """Staff put drafts from an office's list (an import) into the review, as an applicant's
    submission does: a new application is snapshotted, marked submitted and its workflow
    started; a published listing's imported changes (already a revision) go in as a change
    request; each is logged. Return how many entered the review.

    Not the applicant's checks (a member of the organization, a representative, consent): an
    office's list carries none of them, and reviewers observe what is missing. No e-mails:
    there is no applicant to tell yet, and a list of thousands would flood the reviewers'
    inboxes; their queue shows the drafts. Runs in the caller's transaction (the import's)."""
    if user is not None and not user.has_perm("registry_importexport.import_registry"):
        raise ReviewNotAllowed(_("You may not import the registry."))
    now = timezone.now()
    count = 0
    for organization in organizations:
        workflow = organization.get_workflow()
        if workflow is None or _active_workflow_state(organization) is not None:
            continue  # no review workflow installed, or already with the staff
        is_change = _is_change_request(organization)
        if not is_change:
            organization.save_revision(user=user, clean=False)
            organization.status = ApplicationStatus.SUBMITTED
            organization.submitted_at = now
            organization.decided_at = None
            organization.decision_reason = ""
            _save_registration(organization, "status", "submitted_at", "decided_at", "decision_reason")
        workflow.start(organization, user)
        _log(
            organization,
            SUBMIT,
            user=user,
            revision=organization.latest_revision,
            changes=is_change,
            source="import",
            file_name=file_name,
        )
        count += 1
    return count


def publish_imported(
    *,
    created_ids: list[int],
    changed_ids: list[int],
    user,
    file_name: str,
    approved_on_write: bool = False,
    now=None,
) -> int:
    """Staff publish an office's official list (`import_registry --publish`) through the review
    path: the `created_ids` drafts (numbered by the import) are approved and listed; the
    `changed_ids` registrations already carry the file's values, staff-approved. Each gets a
    revision, so its history and the admin's compare view show what the list said, and an audit
    entry naming the import (file, user, time); Wagtail's own index (the admin's search and
    choosers) is written in the same transaction (registry.admin_index). Runs in the caller's
    transaction.

    Set-based, not `approve` one by one: an official list has thousands of rows and each
    approval moves a workflow (a dozen queries). Per chunk of rows: one read, the revisions'
    content built column by column (registry.revisions: what `serializable_data()` gives, 19 s
    of 20,000 rows when called per record), one INSERT of the revisions returning their ids,
    one UPDATE of the rows (approval, publication dates, revision pointers) and one INSERT of
    the audit entries, through `executemany` on SQLite. On PostgreSQL the database builds each
    revision's content from the row itself (`revisions.content_sql`) and one statement per
    chunk and group writes the revisions, the rows and the audit entries (`_publish_in_sql`);
    records with people, steps or documents take the Python path. With `approved_on_write`
    the `created_ids` rows were written already approved, each pointing at the revision id it
    was given (`approved_on_import`, at `now`): their revisions take those ids and the rows
    are not updated again."""
    if user is not None and not (
        user.has_perm("registry_importexport.import_registry")
        and user.has_perm("registry.approve_organization")
    ):
        raise ReviewNotAllowed(_("You may not publish the registry."))
    ids = [*created_ids, *changed_ids]
    if not ids:
        return 0
    now = now or timezone.now()
    content_type = ContentType.objects.get_for_model(Organization)
    changed = set(changed_ids)
    user_id = getattr(user, "pk", None)
    for start in range(0, len(ids), PUBLISH_CHUNK):
        chunk = ids[start : start + PUBLISH_CHUNK]
        if connection.vendor == "postgresql":
            done = _publish_in_sql(
                chunk,
                changed=changed,
                content_type=content_type,
                user_id=user_id,
                now=now,
                file_name=file_name,
                approved_on_write=approved_on_write,
            )
            chunk = [pk for pk in chunk if pk not in done]
            if not chunk:
                continue
        written, numbers = {}, {}

        def publishing(values, written=written, numbers=numbers):
            # What approving (new rows) and publishing (all) write: the revision shows the
            # record as published, as a revision saved by `approve` does.
            if values["id"] not in changed:
                values["status"] = ApplicationStatus.APPROVED.value
                values["live"] = True
                values["registered_at"] = values["registered_at"] or now
                values["decided_at"] = now
                values["decision_reason"] = ""
            values["has_unpublished_changes"] = False
            values["first_published_at"] = values["first_published_at"] or now
            values["last_published_at"] = now
            values["last_confirmed_at"] = now
            written[values["id"]] = [values[name] for name in PUBLISHED_COLUMNS]
            numbers[values["id"]] = values["registry_number"]

        contents = revisions.contents(Organization, chunk, now=now, changes=publishing)
        order = [pk for pk in chunk if pk in contents]
        revision_ids = _insert_revisions(
            [(pk, *contents[pk]) for pk in order], content_type=content_type, user_id=user_id, now=now
        )
        _update_published([(pk, *written[pk], revision_ids[pk]) for pk in order if pk in written], now=now)
        _insert_log_entries(
            [
                (
                    pk,
                    contents[pk][0],
                    APPROVE_CHANGES if pk in changed else APPROVE,
                    revision_ids[pk],
                    numbers.get(pk),
                )
                for pk in order
            ],
            content_type=content_type,
            user_id=user_id,
            now=now,
            file_name=file_name,
        )
    admin_index.index_in_transaction(Organization, ids)
    return len(ids)


PUBLISH_CHUNK = 5000

# What publishing an imported row writes (PostgreSQL expressions over its row ``o``; the
# statement's parameters ``now`` and ``approved``), as ``publish_imported``'s ``publishing``
# does: approval for the new rows, publication for all.
_PUBLISHED_SQL = {
    "has_unpublished_changes": "false",
    "first_published_at": "COALESCE(o.first_published_at, %(now)s::timestamptz)",
    "last_published_at": "%(now)s::timestamptz",
    "last_confirmed_at": "%(now)s::timestamptz",
}
_APPROVED_SQL = {
    "status": "%(approved)s::text",
    "live": "true",
    "registered_at": "COALESCE(o.registered_at, %(now)s::timestamptz)",
    "decided_at": "%(now)s::timestamptz",
    "decision_reason": "''::text",
    **_PUBLISHED_SQL,
}


def approved_on_import(count: int, *, now) -> tuple[dict, list[int]] | None:
    """PostgreSQL: what ``count`` new rows of a published import are written with, so that they
    are written once, already approved: the values ``publish_imported`` would set on them
    (``_APPROVED_SQL`` at ``now``) and a revision id reserved for each, its latest and live
    revision. ``publish_imported(approved_on_write=True, now=now)`` then writes those revisions
    and the audit entries and leaves the rows as they are. None on other databases (the rows
    are written as drafts and approved by ``publish_imported``).

    Inserting then updating 10,000 rows wrote each twice through every index of the table
    (``status`` and ``live`` are indexed, so no update is HOT)."""
    if connection.vendor != "postgresql" or not count:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Revision._meta.db_table, count],
        )
        revision_ids = [row[0] for row in cursor.fetchall()]
    values = {
        "status": ApplicationStatus.APPROVED.value,
        "live": True,
        "registered_at": now,
        "decided_at": now,
        "decision_reason": "",
        "has_unpublished_changes": False,
        "first_published_at": now,
        "last_published_at": now,
        "last_confirmed_at": now,
    }
    return values, revision_ids


def _publish_in_sql(
    ids, *, changed: set, content_type, user_id, now, file_name, approved_on_write: bool = False
) -> set[int]:
    """PostgreSQL: publish these imported rows as ``publish_imported`` does, each revision's
    content built by the database from the row (``revisions.content_sql``): per group (new rows,
    changed registrations) one statement inserts the revisions, updates the rows and inserts the
    audit entries, with the ids as its only rows sent. New rows written already approved
    (``approved_on_write``) are not updated: their revisions take the ids they point at, and
    their content shows no earlier revision, as a new record's first revision does. Returns the
    ids done; rows with records in a child relation (people, steps, documents) are left to the
    Python path, which serializes them, and so is everything when the model has a field
    ``content_sql`` cannot convert."""
    children = revisions._with_children(Organization, ids)
    if children is None:
        return set()
    done = set()
    first_revision = {"latest_revision_id": "NULL::bigint", "live_revision_id": "NULL::bigint"}
    for group, action, overrides in (
        (
            [pk for pk in ids if pk not in changed and pk not in children],
            APPROVE,
            first_revision if approved_on_write else _APPROVED_SQL,
        ),
        ([pk for pk in ids if pk in changed and pk not in children], APPROVE_CHANGES, _PUBLISHED_SQL),
    ):
        if not group:
            continue
        content = revisions.content_sql(Organization, alias="o", overrides=overrides)
        if content is None:
            return done
        quote = connection.ops.quote_name
        table = quote(Organization._meta.db_table)
        written = overrides is first_revision
        revision = (
            "content_type_id, base_content_type_id, object_id, created_at, user_id, object_str, content"
        )
        if written:
            revision = f"(id, {revision}) SELECT src.revision_id, "
            published = ""
        else:
            revision = f"({revision}) SELECT "
            assignments = ", ".join(
                f"{quote(Organization._meta.get_field(name).column)} = {expression}"
                for name, expression in overrides.items()
            )
            published = (
                f"published AS (UPDATE {table} AS o SET {assignments}, latest_revision_id = rev.id, "  # noqa: S608 -- names from the models
                "live_revision_id = rev.id, updated_at = %(now)s FROM rev WHERE o.id = rev.object_id::bigint) "
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH src AS (SELECT o.id, o.name, o.registry_number, o.latest_revision_id AS revision_id, "  # noqa: S608 -- names from the models
                f"{content} AS content FROM {table} AS o "
                "WHERE o.id = ANY(string_to_array(%(ids)s, ',')::bigint[])), "
                f"rev AS (INSERT INTO {quote(Revision._meta.db_table)} {revision}"
                "%(content_type)s, %(content_type)s, src.id::text, %(now)s, %(user)s, left(src.name, 255), "
                "src.content FROM src RETURNING id, object_id)"
                f"{', ' if published else ' '}{published}"
                f"INSERT INTO {quote(ModelLogEntry._meta.db_table)} (content_type_id, label, action, data, "
                "timestamp, user_id, revision_id, content_changed, deleted, object_id) "
                "SELECT %(content_type)s, left(src.name, 255), %(action)s, jsonb_build_object('source', 'import', "
                "'file_name', %(file_name)s::text, 'registry_number', src.registry_number), %(now)s, %(user)s, "
                "rev.id, true, false, rev.object_id FROM rev JOIN src ON src.id = rev.object_id::bigint",
                {
                    "ids": ",".join(str(int(pk)) for pk in group),
                    "content_type": content_type.pk,
                    "now": now,
                    "user": user_id,
                    "approved": ApplicationStatus.APPROVED.value,
                    "action": action,
                    "file_name": file_name,
                    "revision_stamp": revisions.revision_stamp(now),
                },
            )
        done.update(group)
    return done


# Columns an import's publication writes, besides the revision pointers.
PUBLISHED_COLUMNS = (
    "status",
    "live",
    "registered_at",
    "decided_at",
    "decision_reason",
    "has_unpublished_changes",
    "first_published_at",
    "last_published_at",
    "last_confirmed_at",
)


def _insert_revisions(rows, *, content_type, user_id, now) -> dict[int, int]:
    """One revision per (id, str, JSON content); returns {organization id: revision id}.

    Plain SQL rather than bulk_create: on SQLite bulk_create splits 20,000 revisions into batches of
    124 (the 999-parameter limit) and prepares every value through the field API, 3 of the 5 s
    this path took for 20,000 rows; on PostgreSQL one statement over arrays returns the ids."""
    if not rows:
        return {}
    table = connection.ops.quote_name(Revision._meta.db_table)
    columns = "content_type_id, base_content_type_id, object_id, created_at, user_id, object_str, content"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            source, param = bulk.recordset(
                [("object_id", "text"), ("object_str", "text"), ("content", "jsonb")],
                [(str(pk), label[:255], bulk.Raw(content)) for pk, label, content in rows],
            )
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, %s, t.object_id, %s, %s, t.object_str, "  # noqa: S608
                f"t.content FROM {source} RETURNING object_id, id",
                [content_type.pk, content_type.pk, now, user_id, param],
            )
            return {int(object_id): pk for object_id, pk in cursor.fetchall()}
        created_at = connection.ops.adapt_datetimefield_value(now)
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
            [
                (content_type.pk, content_type.pk, str(pk), created_at, user_id, label[:255], content)
                for pk, label, content in rows
            ],
        )
    found = {}
    for start in range(0, len(rows), 500):
        found.update(
            Revision.objects.filter(
                base_content_type=content_type,
                object_id__in=[str(pk) for pk, _label, _content in rows[start : start + 500]],
                created_at=now,
            ).values_list("object_id", "pk")
        )
    return {int(object_id): pk for object_id, pk in found.items()}


def _update_published(rows, *, now) -> None:
    """Each (id, *PUBLISHED_COLUMNS values, revision id) written, the revision as both the
    latest and the live one, and updated_at (as a save would)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(Organization._meta.db_table)
    fields = [Organization._meta.get_field(name) for name in PUBLISHED_COLUMNS]
    names = [quote(f.column) for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            source, param = bulk.recordset(
                [
                    ("id", "bigint"),
                    *((f"c{n}", f.db_type(connection)) for n, f in enumerate(fields)),
                    ("revision_id", "bigint"),
                ],
                rows,
            )
            assignments = ", ".join(f"{name} = t.c{n}" for n, name in enumerate(names))
            cursor.execute(
                f"UPDATE {table} AS o SET {assignments}, latest_revision_id = t.revision_id, "  # noqa: S608
                f"live_revision_id = t.revision_id, updated_at = %s FROM {source} WHERE o.id = t.id",
                [now, param],
            )
            return
        prepared = [
            [f.get_db_prep_save(value, connection) for f, value in zip(fields, row[1:-1], strict=True)]
            for row in rows
        ]
        stamp = connection.ops.adapt_datetimefield_value(now)
        assignments = ", ".join(f"{name} = %s" for name in names)
        cursor.executemany(
            f"UPDATE {table} SET {assignments}, latest_revision_id = %s, live_revision_id = %s, "  # noqa: S608
            "updated_at = %s WHERE id = %s",
            [[*values, row[-1], row[-1], stamp, row[0]] for values, row in zip(prepared, rows, strict=True)],
        )


def _insert_log_entries(entries, *, content_type, user_id, now, file_name) -> None:
    """The audit entries of an import's approvals: (id, label, action, revision id, registry
    number) each, in one statement (see _insert_revisions)."""
    if not entries:
        return
    table = connection.ops.quote_name(ModelLogEntry._meta.db_table)
    columns = "content_type_id, label, action, data, timestamp, user_id, revision_id, content_changed, deleted, object_id"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            source, param = bulk.recordset(
                [
                    ("object_id", "text"),
                    ("label", "text"),
                    ("action", "text"),
                    ("revision_id", "bigint"),
                    ("number", "text"),
                ],
                [
                    (str(pk), label[:255], action, revision, number)
                    for pk, label, action, revision, number in entries
                ],
            )
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, t.label, t.action, jsonb_build_object("  # noqa: S608
                "'source', 'import', 'file_name', %s::text, 'registry_number', t.number), %s, %s, "
                f"t.revision_id, true, false, t.object_id FROM {source}",
                [content_type.pk, file_name, now, user_id, param],
            )
            return
        timestamp = connection.ops.adapt_datetimefield_value(now)
        data = {"source": "import", "file_name": file_name}
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
            [
                (
                    content_type.pk,
                    label[:255],
                    action,
                    json.dumps({**data, "registry_number": number}),
                    timestamp,
                    user_id,
                    revision,
                    True,
                    False,
                    str(pk),
                )
                for pk, label, action, revision, number in entries
            ],
        )


@transaction.atomic
def answer_observation(*, organization: Organization, user, response: str) -> WorkflowState:
    """The applicant's correction (subsanación): answer the open observation and resubmit.

    The review resumes at the task that observed, with whatever the wizard saved meanwhile.
    """
    organization = _locked(organization)
    _check("resubmit", user=user, organization=organization)
    state = _active_workflow_state(organization)
    if state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:
        raise ReviewConflict(_("There is no observation waiting for your answer."))
    response = (response or "").strip()
    if not response:
        raise ValidationError(_("Tell the staff what you corrected."))
    _refuse_if_incomplete(organization)

    # The wizard saved the corrections as the latest revision; that is what staff review now.
    observation = organization.observations.filter(answered_at__isnull=True).first()
    if observation is not None:
        observation.response = response
        observation.answered_at = timezone.now()
        observation.save(update_fields=["response", "answered_at"])

    state.resume(user=user)
    state.refresh_from_db()
    task_state = state.current_task_state
    if not _is_change_request(organization):
        organization.status = _stage_status(task_state)
        _save_registration(organization, "status")
    _log(
        organization,
        RESUBMIT,
        user=user,
        revision=organization.latest_revision,
        response=response,
        observation=observation.pk if observation else None,
    )
    notifications.applicant(organization, ApplicantEvent.RESUBMITTED)
    notifications.staff_group(task_state.task.specific, organization, StaffEvent.RESUBMITTED)
    return state


@transaction.atomic
def confirm_listing(*, organization: Organization, user) -> Organization:
    """The organization's own people confirm that its public data is still correct: the listing
    says since when (`last_confirmed_at`). Nothing else changes and staff need not review it."""
    organization = _locked(organization)
    _check("confirm", user=user, organization=organization)
    organization.last_confirmed_at = timezone.now()
    _save_registration(organization, "last_confirmed_at")
    _log(organization, CONFIRM, user=user)
    return organization


# ----- staff decisions -----------------------------------------------------------------------


@transaction.atomic
def approve(
    *, organization: Organization, user, comment: str = "", task_state_id: int | None = None
) -> Organization:
    """Approve the current task. The last approval registers (first time: a registry number),
    publishes the reviewed revision and tells the applicant."""
    organization = _locked(organization)
    task_state = _current_task_state(organization)
    _check("approve", user=user, organization=organization, task_state=task_state)
    task_state = _expect(task_state, task_state_id)
    workflow_state = task_state.workflow_state
    comment = (comment or "").strip()

    if not workflow_state.is_at_final_task:
        task_state.approve(user=user, comment=comment)
        workflow_state.refresh_from_db()
        if not _is_change_request(organization):
            organization.status = ApplicationStatus.IN_REVIEW
            _save_registration(organization, "status")
        next_task = workflow_state.current_task_state.task.specific
        _log(
            organization,
            CHECK_PASSED,
            user=user,
            revision=task_state.revision,
            task=task_state.task.name,
            next_task=next_task.name,
            comment=comment,
        )
        notifications.staff_group(next_task, organization, StaffEvent.AWAITING_APPROVAL)
        return organization

    is_change = _is_change_request(organization)
    now = timezone.now()
    if not organization.registry_number:
        # Inside this transaction: the counter row stays locked until commit, so concurrent
        # approvals never share a number, and a rolled-back approval gives its number back.
        organization.registry_number = next_registry_numbers(
            count=1, prefix=registry_prefix(organization.municipality)
        )[0]
        organization.registered_at = now
    if not is_change:
        organization.status = ApplicationStatus.APPROVED
        organization.decided_at = now
        organization.decision_reason = comment
    organization.last_confirmed_at = now  # staff checked the data now published
    _save_registration(
        organization,
        "registry_number",
        "registered_at",
        "status",
        "decided_at",
        "decision_reason",
        "last_confirmed_at",
    )
    before = public_record(organization)
    was_listed = organization.live
    # Approving the last task finishes the workflow, which publishes the latest revision with its
    # people, steps and documents; Organization.with_content_json keeps the registration fields
    # just saved and the staff's verifications.
    task_state.approve(user=user, comment=comment)
    _accept_proposed_documents(organization)
    if is_change and not was_listed:
        # Publishing the revision set `live`; approving changes to a listing staff took off the
        # directory does not put it back (reinstating does).
        Organization.objects.filter(pk=organization.pk).update(live=False)
    organization.refresh_from_db()
    _log(
        organization,
        APPROVE_CHANGES if is_change else APPROVE,
        user=user,
        revision=task_state.revision,
        registry_number=organization.registry_number,
        comment=comment,
        public_changes=_public_changes(before, public_record(organization)) if is_change else {},
    )
    notifications.applicant(
        organization, ApplicantEvent.CHANGES_APPROVED if is_change else ApplicantEvent.APPROVED
    )
    return organization


@transaction.atomic
def observe(
    *,
    organization: Organization,
    user,
    reasons: list[str | ObservationReason],
    message: str,
    deadline: date | None = None,
    task_state_id: int | None = None,
) -> Observation:
    """Send the application back with structured observations; the applicant answers them."""
    organization = _locked(organization)
    task_state = _current_task_state(organization)
    _check("observe", user=user, organization=organization, task_state=task_state)
    task_state = _expect(task_state, task_state_id)

    from ..workflows import observation_reasons  # the workflows module imports this one's models

    codes = [r.code if isinstance(r, ObservationReason) else r for r in reasons]
    # Only the reasons this registration's municipality offers (its own and the shared ones).
    chosen = list(observation_reasons(organization.municipality_id).filter(code__in=codes))
    message = (message or "").strip()
    errors = []
    if not chosen or len(chosen) != len(set(codes)):
        errors.append(_("Choose one or more reasons from the list."))
    if not message:
        errors.append(_("Write what the applicant must correct."))
    if deadline is None:
        from ..workflows import default_deadline

        deadline = default_deadline()
    elif deadline <= timezone.localdate():
        errors.append(_("The deadline must be a future date."))
    if errors:
        raise ValidationError(errors)

    observation = Observation.objects.create(
        organization=organization, message=message, deadline=deadline, created_by=user
    )
    observation.reasons.set(chosen)
    task_state.reject(user=user, comment=message)
    if not _is_change_request(organization):
        organization.status = ApplicationStatus.OBSERVED
        _save_registration(organization, "status")
    _log(
        organization,
        OBSERVE,
        user=user,
        revision=task_state.revision,
        observation=observation.pk,
        reasons=sorted(r.code for r in chosen),
        message=message,
        deadline=deadline.isoformat(),
        task=task_state.task.name,
    )
    notifications.applicant(organization, ApplicantEvent.OBSERVED, observation_id=observation.pk)
    return observation


@transaction.atomic
def reject(
    *, organization: Organization, user, reason: str, task_state_id: int | None = None
) -> Organization:
    """Final refusal of an application (or of an approved organization's proposed changes)."""
    organization = _locked(organization)
    state = _active_workflow_state(organization)
    _check("reject", user=user, organization=organization)
    if state is None:
        raise ReviewConflict(_("This application is not waiting for a decision."))
    if task_state_id is not None and state.current_task_state_id != task_state_id:
        _expect(None, task_state_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the rejection; the applicant will read it."))

    is_change = _is_change_request(organization)
    revision = organization.latest_revision
    state.cancel(user=user)
    if not is_change:
        organization.status = ApplicationStatus.REJECTED
        organization.decided_at = timezone.now()
        organization.decision_reason = reason
        _save_registration(organization, "status", "decided_at", "decision_reason")
    _log(organization, REJECT_CHANGES if is_change else REJECT, user=user, revision=revision, reason=reason)
    notifications.applicant(
        organization, ApplicantEvent.CHANGES_REJECTED if is_change else ApplicantEvent.REJECTED
    )
    return organization


@transaction.atomic
def verify_step(
    *, organization: Organization, user, step: OrganizationStep, note: str = ""
) -> OrganizationStep:
    """Staff confirm a formalization step against its evidence (the badge on the listing)."""
    organization = _locked(organization)
    _check("verify_step", user=user, organization=organization)
    step = OrganizationStep.objects.select_for_update().select_related("step").get(pk=step.pk)
    if step.organization_id != organization.pk:
        raise ReviewNotAllowed(_("This step belongs to another organization."))
    if step.status == StepStatus.VERIFIED:
        raise ReviewConflict(_("This step was already verified."))
    if step.step.evidence == EvidenceKind.NUMBER and not step.evidence_number:
        raise ValidationError(_("This step needs its number as evidence before it can be verified."))
    if step.step.evidence == EvidenceKind.DOCUMENT and not step.evidence_document_id:
        raise ValidationError(_("This step needs its document as evidence before it can be verified."))
    step.status = StepStatus.VERIFIED
    step.verified_by = user
    step.verified_at = timezone.now()
    step.save(update_fields=["status", "verified_by", "verified_at", "updated_at"])
    _log(
        organization,
        VERIFY_STEP,
        user=user,
        step=step.step.code,
        title=step.step.title,
        evidence_number=step.evidence_number,
        note=(note or "").strip(),
    )
    return step


def _resolve_report(report: ListingReport | None, organization: Organization, user) -> None:
    if report is not None and report.organization_id == organization.pk and report.resolved_at is None:
        report.resolved_at = timezone.now()
        report.resolved_by = user
        report.save(update_fields=["resolved_at", "resolved_by"])


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason; it is recorded and the organization is told."))
    return reason


@transaction.atomic
def suspend(
    *,
    organization: Organization,
    user,
    reason: str,
    report: ListingReport | None = None,
    reason_public: bool = False,
) -> Organization:
    """Suspend a registration (e.g. on a complaint): off the directory, /verify/ says suspended."""
    organization = _locked(organization)
    _check("suspend", user=user, organization=organization)
    reason = _require_reason(reason)
    organization.status = ApplicationStatus.SUSPENDED
    organization.decision_reason = reason
    _save_registration(organization, "status", "decision_reason")
    _resolve_report(report, organization, user)
    _log(
        organization,
        SUSPEND,
        user=user,
        reason=reason,
        reason_public=reason_public,
        report=report.pk if report else None,
    )
    notifications.applicant(organization, ApplicantEvent.SUSPENDED)
    return organization


@transaction.atomic
def unpublish(
    *,
    organization: Organization,
    user,
    reason: str,
    report: ListingReport | None = None,
    reason_public: bool = False,
    details_public: bool = False,
) -> Organization:
    """Take a listing off the directory; the registration itself stays valid.

    While it is withdrawn /verify/ shows only that, and since when, unless staff chose
    `details_public` (a listing withdrawn for its owner's safety must not stay findable by name
    through sequential numbers)."""
    from wagtail.actions.unpublish import UnpublishAction

    organization = _locked(organization)
    _check("unpublish", user=user, organization=organization)
    reason = _require_reason(reason)
    # Permissions were checked above, in the registry's terms; Wagtail logs wagtail.unpublish.
    UnpublishAction(organization, user=user).execute(skip_permission_checks=True)
    organization.refresh_from_db()
    _resolve_report(report, organization, user)
    _log(
        organization,
        UNPUBLISH,
        user=user,
        reason=reason,
        reason_public=reason_public,
        details_public=details_public,
        report=report.pk if report else None,
    )
    notifications.applicant(organization, ApplicantEvent.UNPUBLISHED)
    return organization


@transaction.atomic
def reinstate(*, organization: Organization, user, reason: str, reason_public: bool = False) -> Organization:
    """Undo a suspension or an unpublication: the registration is valid and listed again.

    The live content comes back as it was; pending proposed changes still wait for review.
    """
    organization = _locked(organization)
    _check("reinstate", user=user, organization=organization)
    reason = _require_reason(reason)
    organization.status = ApplicationStatus.APPROVED
    organization.decision_reason = reason
    organization.live = True
    _save_registration(organization, "status", "decision_reason", "live")
    _log(organization, REINSTATE, user=user, reason=reason, reason_public=reason_public)
    notifications.applicant(organization, ApplicantEvent.REINSTATED)
    return organization
