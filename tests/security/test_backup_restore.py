"""The README's backup procedure, carried out: dump the database and the private files, restore
them into an empty database and folder, and find every organization and document again."""

import os
import shutil
import sqlite3
import subprocess
import tarfile

import pytest
from django.conf import settings
from django.db import connection

from registry.services.applications import add_document
from tests.factories import OrganizationFactory, PublishedOrganizationFactory
from tests.registry import upload_files as files

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def make_registry():
    organizations = [PublishedOrganizationFactory(name=f"Bodega Maracaibo {i}") for i in range(5)]
    draft = OrganizationFactory(name="Borrador Táchira")
    document = add_document(organization=draft, user=None, uploaded=files.pdf(), document_type="statute")
    return {o.name for o in [*organizations, draft]}, document


def restore_files(tmp_path):
    archive = tmp_path / "private.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:  # README: tar czf private.tar.gz -C $PRIVATE_MEDIA_ROOT .
        tar.add(settings.PRIVATE_MEDIA_ROOT, arcname=".")
    restored = tmp_path / "restored-private"
    restored.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(restored, filter="data")
    return restored


def test_backup_and_restore(tmp_path):
    names, document = make_registry()
    vendor = connection.vendor
    if vendor == "postgresql":
        if not shutil.which("pg_dump"):
            pytest.fail("pg_dump is missing: install postgresql-client")
        params = connection.get_connection_params()
        env = {**os.environ, "PGPASSWORD": str(params.get("password") or "")}
        common = [
            "-h",
            params.get("host") or "127.0.0.1",
            "-p",
            str(params.get("port") or 5432),
            "-U",
            params["user"],
        ]
        dump = tmp_path / "registry.dump"
        subprocess.run(["pg_dump", "-Fc", *common, "-f", str(dump), params["dbname"]], check=True, env=env)
        target = f"{params['dbname']}_restore"
        subprocess.run(["dropdb", "--if-exists", *common, target], check=True, env=env)
        subprocess.run(["createdb", *common, target], check=True, env=env)
        try:
            subprocess.run(
                ["pg_restore", "--no-owner", *common, "-d", target, str(dump)], check=True, env=env
            )
            result = subprocess.run(
                ["psql", *common, "-d", target, "-At", "-c", "SELECT name FROM registry_organization"],
                check=True,
                env=env,
                capture_output=True,
                text=True,
            )
            restored_names = set(result.stdout.split("\n")) - {""}
        finally:
            subprocess.run(["dropdb", "--if-exists", *common, target], check=True, env=env)
    else:
        backup_file = tmp_path / "registry.sqlite3"
        with sqlite3.connect(backup_file) as target:  # README: sqlite3 db.sqlite3 ".backup backup.sqlite3"
            connection.ensure_connection()
            connection.connection.backup(target)
        with sqlite3.connect(backup_file) as restored:
            restored_names = {row[0] for row in restored.execute("SELECT name FROM registry_organization")}
    assert restored_names == names

    restored_private = restore_files(tmp_path)
    assert (restored_private / document.file.name).read_bytes().startswith(b"%PDF-")
