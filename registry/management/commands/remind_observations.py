from django.core.management.base import BaseCommand

from registry.services.deadlines import remind_observation_deadlines


class Command(BaseCommand):
    help = "Remind applicants of observation deadlines and tell staff of the ones that passed (run daily)."

    def handle(self, *args, **options):
        counts = remind_observation_deadlines()
        self.stdout.write(
            f"Reminders sent: {counts['reminded']}; deadlines passed, staff told: {counts['overdue']}."
        )
