"""The task worker puts back in the queue the tasks a worker that stopped left "running".

Real transactions: the worker closes its connection between rounds, as in production."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from registry.tasks import update_admin_search_index

real_transactions = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _left_running(*, minutes_ago: int, worker: str) -> DBTaskResult:
    result = update_admin_search_index.enqueue(ids=[])
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        worker_ids=[worker],
    )
    return DBTaskResult.objects.get(pk=result.id)


def _run_worker(**options):
    call_command(
        "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0, **options
    )


@real_transactions
def test_a_task_left_running_long_ago_runs_again_and_one_under_way_is_left_alone(database_tasks, caplog):
    abandoned = _left_running(minutes_ago=60, worker="a-worker-that-was-killed")
    under_way = _left_running(minutes_ago=1, worker="a-live-worker")

    _run_worker(worker_id="this-worker")

    abandoned.refresh_from_db()
    under_way.refresh_from_db()
    assert abandoned.status == TaskResultStatus.SUCCESSFUL
    assert abandoned.worker_ids == ["a-worker-that-was-killed", "this-worker"]
    assert under_way.status == TaskResultStatus.RUNNING
    assert "queued again: 1" in caplog.text


@real_transactions
def test_the_task_this_worker_was_running_when_its_connection_dropped_runs_again(database_tasks):
    # The worker starts again under the same id after waiting for the database.
    interrupted = _left_running(minutes_ago=0, worker="this-worker")

    _run_worker(worker_id="this-worker")

    interrupted.refresh_from_db()
    assert interrupted.status == TaskResultStatus.SUCCESSFUL


@real_transactions
def test_the_bound_is_an_option(database_tasks):
    recent = _left_running(minutes_ago=3, worker="a-worker-that-was-killed")

    _run_worker(worker_id="this-worker", requeue_after=60)

    recent.refresh_from_db()
    assert recent.status == TaskResultStatus.SUCCESSFUL
