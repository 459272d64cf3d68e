"""`python manage.py search_index rebuild|update|check`."""

from django.core.management.base import BaseCommand, CommandError

from search import maintenance


class Command(BaseCommand):
    help = (
        "Directory search index. rebuild: build everything anew (Elasticsearch behind its alias, "
        "swapped when complete); update: re-index only what changed; check: compare the database "
        "with the indexes and report differences (exit status 1 when they differ); sync: send "
        "Elasticsearch the listings that changed while it was unreachable (run it every minute; "
        "exit status 1 when it is still unreachable)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "update", "check", "sync"])

    def handle(self, *args, action, **options):
        if action == "rebuild":
            result = maintenance.rebuild_all()
            self.stdout.write(self.style.SUCCESS(maintenance.describe_rebuild(result)))
        elif action == "sync":
            result = maintenance.sync()
            self.stdout.write(maintenance.describe_sync(result))
            if result["error"]:
                raise CommandError(f"Elasticsearch did not answer: {result['error']}")
        elif action == "update":
            report = maintenance.update()
            self.stdout.write(self.style.SUCCESS(maintenance.describe_update(report)))
        else:
            report = maintenance.check()
            self.stdout.write(maintenance.describe_check(report))
            if not report.in_step:
                raise CommandError("The search index differs from the database; run `search_index update`.")
