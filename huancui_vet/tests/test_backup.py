"""Backup/restore drill: `manage.py backup`, then `restore` into an emptied database and media
folder gives identical rows (per-model counts and a content checksum) and identical files."""

import hashlib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db import connection

from huancui_vet.testing import build_world
from reports import services
from reports.tests.factories import PDF_BYTES, draft, upload


def database_fingerprint():
    """{model label: (row count, sha256 of its rows serialised in primary-key order)}."""
    fingerprint = {}
    for model in apps.get_models():
        rows = model._default_manager.order_by("pk")
        data = serializers.serialize("json", rows).encode()
        fingerprint[model._meta.label] = (rows.count(), hashlib.sha256(data).hexdigest())
    return fingerprint


def media_fingerprint():
    root = Path(settings.MEDIA_ROOT)
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_empty_database_gives_identical_data_and_files(
    tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # not the files other tests left behind
    world = build_world()
    report = draft(world)
    services.evidence_add(
        user=world.reporter, report=report, uploaded_file=upload("会议纪要.pdf", PDF_BYTES)
    )
    # A pending import between preview and confirmation is not data: it is not backed up.
    staging = Path(settings.MEDIA_ROOT) / "plan-imports" / "pending.xlsx"
    staging.parent.mkdir(parents=True)
    staging.write_bytes(b"staging")
    before_db, before_media = database_fingerprint(), media_fingerprint()
    del before_media["plan-imports/pending.xlsx"]
    assert before_db["reports.Evidence"][0] == 1 and len(before_media) >= 1

    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive))

    call_command("flush", interactive=False)  # the empty database ...
    for path in Path(settings.MEDIA_ROOT).rglob("*"):  # ... and no uploaded files
        if path.is_file():
            path.unlink()
    assert media_fingerprint() == {}
    from departments.models import User

    assert not User.objects.exists()

    call_command("restore", str(archive))
    connection.close()  # read through a fresh connection, as the next request would
    after_db = database_fingerprint()
    # A restore renews every plan's figures token (same rows, new values) so no figures kept
    # in the cache from another state of the database are shown: everything else is identical.
    tokens_after = after_db.pop("supervision.FiguresVersion")
    tokens_before = before_db.pop("supervision.FiguresVersion")
    assert tokens_after[0] == tokens_before[0] and tokens_after[1] != tokens_before[1]
    assert after_db == before_db
    assert media_fingerprint() == before_media


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_to_overwrite_a_database_with_data(tmp_path):
    build_world()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive))
    with pytest.raises(CommandError, match="--replace"):
        call_command("restore", str(archive))


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "x.tar.gz"
    import tarfile

    with tarfile.open(bogus, "w:gz"):
        pass
    with pytest.raises(CommandError, match="manifest"):
        call_command("restore", str(bogus))
