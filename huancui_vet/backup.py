"""Backup and restore of the whole portal: the database and the uploaded files.

One archive (`.tar.gz`) holds
- `database.sqlite3` (SQLite's online backup API: consistent while the portal runs) or
  `database.pgdump` (`pg_dump -Fc`, restored with `pg_restore`),
- `media/…` every uploaded file,
- `manifest.json`: engine, time, the file storage used, and the sha256 of every file,
  checked on restore.

Files are read and written only through the default storage (Django's storage API), so the
same commands work whether uploads live under MEDIA_ROOT or in an S3-compatible bucket: a
backup streams every object into the archive, a restore writes every file back under its
exact name (replacing an object of that name). An archive taken on one storage restores onto
the other. Staging folders of imports in progress are not backed up (they expire anyway).

Used by `manage.py backup` and `manage.py restore`.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone

from huancui_vet.signals import database_restored

DB_SQLITE = "database.sqlite3"
DB_PG = "database.pgdump"
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _engine():
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"unsupported database engine: {vendor}")
    return vendor


def _pg_env_and_args():
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return env, args


def _run(command, env):
    try:
        # S603: the command is pg_dump/pg_restore found on PATH with the configured database.
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    except subprocess.CalledProcessError as exc:
        last = (exc.stderr or "").strip().splitlines()[-1:] or [""]
        raise BackupError(f"{Path(command[0]).name} failed: {last[0]}") from exc


def _tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools")
    return path


def _dump_database(target_dir):
    if _engine() == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target_dir / DB_SQLITE)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        return DB_SQLITE
    env, args = _pg_env_and_args()
    output = target_dir / DB_PG
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(output), *args], env)
    return DB_PG


# Transient uploads between a preview and its confirmation (tasks/admin_import.py,
# django-import-export's MediaStorage): not part of the portal's data.
STAGING_PREFIXES = ("plan-imports/", "django-import-export/")


def _storage():
    return storages["default"]


def _storage_label(storage):
    bucket = getattr(storage, "bucket_name", None)
    kind = type(storage).__name__
    return f"{kind}:{bucket}" if bucket else kind


def stored_names(storage=None):
    """Every file name in the storage, sorted, without the staging folders.

    An S3 bucket is listed by prefix (one request per 1,000 objects) rather than folder by
    folder; any other storage is walked with `listdir`.
    """
    storage = storage or _storage()
    bucket = getattr(storage, "bucket", None)
    if bucket is not None:
        prefix = storage.location.rstrip("/") + "/" if storage.location else ""
        names = (obj.key[len(prefix) :] for obj in bucket.objects.filter(Prefix=prefix))
    else:
        names = _walk(storage, "")
    # A key ending in "/" is a folder marker some S3 tools create, not a file.
    return sorted(
        n for n in names if n and not n.endswith("/") and not n.startswith(STAGING_PREFIXES)
    )


def _walk(storage, folder):
    if folder and not storage.exists(folder):
        return
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # no MEDIA_ROOT yet: nothing was ever uploaded
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}" if folder else sub)


class _HashingReader:
    """Reads a file for tarfile while computing its sha256 (one pass over the bytes)."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()
        self.count = 0

    def read(self, size=-1):
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        self.count += len(chunk)
        return chunk


def _add_stored_file(archive, storage, name):
    """Stream one stored file into the archive; return its sha256."""
    with storage.open(name, "rb") as handle:
        info = tarfile.TarInfo(f"media/{name}")
        info.size = handle.size
        info.mode = 0o640
        reader = _HashingReader(handle)
        archive.addfile(info, reader)
        if reader.count != info.size:
            raise BackupError(f"uploaded file {name} changed size while it was backed up")
        return reader.digest.hexdigest()


def backup_create(*, output):
    """Write one archive to `output` (a file path); return the manifest."""
    output = Path(output)
    storage = _storage()
    with tempfile.TemporaryDirectory(prefix="huancui-backup-") as tmp_name:
        tmp = Path(tmp_name)
        db_name = _dump_database(tmp)
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        media = {}
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(tmp / db_name, arcname=db_name)
            for name in stored_names(storage):
                media[name] = _add_stored_file(archive, storage, name)
            manifest = {
                "format": 1,
                "created_at": timezone.now().isoformat(),
                "engine": _engine(),
                "storage": _storage_label(storage),
                "database": {"name": db_name, "sha256": _sha256(tmp / db_name)},
                "media": media,
            }
            # Written last (the files' checksums are known only now); restore finds it by name.
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        partial.replace(output)  # never leave a half-written archive under the final name
    return manifest


def database_has_data():
    """True if the current database already holds users (so a restore would overwrite work)."""
    from django.contrib.auth import get_user_model

    table = get_user_model()._meta.db_table
    if table not in connection.introspection.table_names():
        return False
    return get_user_model().objects.exists()


def _restore_database(extracted, manifest):
    name = manifest["database"]["name"]
    if _sha256(extracted / name) != manifest["database"]["sha256"]:
        raise BackupError("the database dump does not match its checksum")
    engine = _engine()
    if engine != manifest["engine"]:
        raise BackupError(
            f"the archive is a {manifest['engine']} backup; this database is {engine}"
        )
    if engine == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(extracted / name)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    connection.close()  # pg_restore --clean drops tables this connection may hold locks on
    env, args = _pg_env_and_args()
    restore = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner"]
    restore += ["--single-transaction", "--exit-on-error", *args, str(extracted / name)]
    _run(restore, env)


def _restore_media(archive, extracted, manifest):
    """Check every file against the manifest first, then write each one to the default
    storage under its exact name (an object of that name is replaced)."""
    storage = _storage()
    members = [m for m in archive.getmembers() if m.name.startswith("media/")]
    archive.extractall(extracted, members=members, filter="data")  # no ../ or links out
    for relative, digest in manifest["media"].items():
        source = extracted / "media" / relative
        if not source.is_file() or _sha256(source) != digest:
            raise BackupError(f"uploaded file {relative} is missing or damaged in the archive")
    for relative in manifest["media"]:
        # The storages never overwrite on save (they pick another name), so delete first.
        storage.delete(relative)
        with open(extracted / "media" / relative, "rb") as handle:
            saved = storage.save(relative, File(handle, name=relative))
        if saved != relative:
            raise BackupError(f"uploaded file {relative} was stored as {saved}")


def backup_restore(*, archive_path, replace=False):
    """Restore the database and uploaded files from an archive; return the manifest.

    Refuses to overwrite a database that already has users unless `replace` is set.
    """
    if not replace and database_has_data():
        raise BackupError("the database is not empty: pass --replace to overwrite it")
    with tempfile.TemporaryDirectory(prefix="huancui-restore-") as tmp:
        extracted = Path(tmp)
        with tarfile.open(archive_path, "r:gz") as archive:
            try:
                manifest_file = archive.extractfile(MANIFEST)
            except KeyError as exc:
                raise BackupError("not a huancui_vet backup (no manifest.json)") from exc
            if manifest_file is None:  # a directory or link, not a file
                raise BackupError("not a huancui_vet backup (manifest.json is not a file)")
            manifest = json.load(manifest_file)
            names = [manifest["database"]["name"]]
            members = [archive.getmember(n) for n in names]
            archive.extractall(extracted, members=members, filter="data")
            _restore_database(extracted, manifest)
            # At once, not after the files: a failed file step must not leave kept figures
            # of the replaced database served for the restored one.
            database_restored.send(sender=backup_restore)
            _restore_media(archive, extracted, manifest)
    return manifest
