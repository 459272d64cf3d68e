"""Dated daily snapshots of the open data: `open-data/YYYY-MM-DD/` in the default storage, each
day with the directory as CSV (`directorio.csv`) and as Open Referral HSDS 3 JSON (`hsds.json`).

Written by `python manage.py snapshot_open_data` or the `snapshot_open_data_task` task, once a
day (a scheduler or cron runs either). A day already written is left as it is, so running it
again the same day changes nothing; past days are never removed, so anyone can cite or compare
the data of a given day. The public page `/datos-abiertos/` lists them.
"""

import re
import tempfile
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from . import hsds, licence, services

FOLDER = "open-data"
FILES = ("directorio.csv", "hsds.json")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Snapshot:
    day: date
    files: dict[str, str] = field(default_factory=dict)  # file name -> storage name
    written: bool = False  # False when the day had already been written

    def url(self, name: str) -> str:
        return default_storage.url(self.files[name])

    @property
    def links(self) -> list[tuple[str, str]]:
        return [(name, self.url(name)) for name in FILES if name in self.files]


def _name(day: date, file_name: str) -> str:
    return f"{FOLDER}/{day:%Y-%m-%d}/{file_name}"


def _save(storage, name: str, chunks) -> None:
    with tempfile.TemporaryFile() as handle:
        for chunk in chunks:
            handle.write(chunk)
        handle.seek(0)
        storage.save(name, File(handle))


def write_snapshot(*, day: date | None = None, storage=None, base_url: str | None = None) -> Snapshot:
    """Write the snapshot of `day` (today, in Lima) unless it exists; return it.

    A file is written only when missing, under its exact name (the storage would otherwise
    save a second one beside it with a suffix)."""
    storage = storage or default_storage
    day = day or timezone.localdate()
    snapshot = Snapshot(day=day)
    spdx = licence.licence_for()
    base_url = getattr(settings, "SITE_URL", "") if base_url is None else base_url
    for file_name in FILES:
        name = _name(day, file_name)
        snapshot.files[file_name] = name
        if storage.exists(name):
            continue
        if file_name.endswith(".csv"):
            resource = services.export_resource(public=True)
            chunks = services.export_chunks(fmt="csv", queryset=resource.get_queryset(), resource=resource)
        else:
            chunks = hsds.stream(base_url=base_url, licence=spdx)
        _save(storage, name, chunks)
        snapshot.written = True
    return snapshot


def list_snapshots(storage=None) -> list[Snapshot]:
    """The days written, newest first, each with the files it has."""
    storage = storage or default_storage
    if not storage.exists(FOLDER):
        return []
    days, _files = storage.listdir(FOLDER)
    found = []
    for folder in sorted((d for d in days if DAY.match(d)), reverse=True):
        _dirs, names = storage.listdir(f"{FOLDER}/{folder}")
        snapshot = Snapshot(day=date.fromisoformat(folder))
        snapshot.files = {name: f"{FOLDER}/{folder}/{name}" for name in FILES if name in names}
        if snapshot.files:
            found.append(snapshot)
    return found
