"""Background work of the open data (django-tasks)."""

from django_tasks import task

from .snapshots import write_snapshot


@task()
def snapshot_open_data_task() -> str:
    """Today's open-data snapshot (`snapshots.write_snapshot`); nothing when already written."""
    snapshot = write_snapshot()
    return f"{snapshot.day:%Y-%m-%d}: {'written' if snapshot.written else 'already there'}"
