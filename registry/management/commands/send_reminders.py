from django.core.management.base import BaseCommand
from django.utils import timezone

from registry.models import Organization, ReminderKind
from registry.services.reminders import pending_reminders, send_reminders


class Command(BaseCommand):
    help = (
        "Remind listings' managers of expiring documents, licences and certificates and of the yearly "
        "confirmation of their data, and tell staff of unconfirmed listings (run daily; each reminder "
        "goes once)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the reminders that would go; send and record nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        today = timezone.localdate()
        if dry_run:
            pending = pending_reminders(today=today)
            names = dict(
                Organization.objects.filter(pk__in={d.organization_id for d in pending}).values_list(
                    "pk", "name"
                )
            )
            for due in pending:
                self.stdout.write(
                    f"{ReminderKind(due.kind).label}: {names[due.organization_id]} ({due.subject}, "
                    f"due {due.due_on:%Y-%m-%d}, concerns {due.concerns_date:%Y-%m-%d})"
                )
            self.stdout.write(f"Would send {len(pending)} reminders; nothing was sent.")
            return
        counts = send_reminders(today=today)
        self.stdout.write(
            "Organizations reminded: documents {document_expiry}, licences and certificates {permit_expiry}, "
            "yearly confirmation {confirmation}; unconfirmed listings flagged to staff {unconfirmed}.".format(
                **counts
            )
        )
