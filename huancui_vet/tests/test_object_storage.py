"""Uploaded files on S3-compatible storage, in process (moto's mock of S3, no server).

The options are the production ones (`huancui_vet.object_storage.s3_storage`): private
objects, no overwrite of an existing key, every read and write through the storage API.
The evidence views and the backup/restore commands run unchanged on top of it.
"""

import hashlib
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from huancui_vet.backup import stored_names
from huancui_vet.object_storage import s3_storage
from huancui_vet.testing import build_world
from reports import services
from reports.tests.factories import PDF_BYTES, draft, upload

moto = pytest.importorskip("moto", reason="moto is in requirements-dev.txt")
boto3 = pytest.importorskip("boto3")

BUCKET = "huancui-test"
REGION = "us-east-1"
ENV = {
    "AWS_STORAGE_BUCKET_NAME": BUCKET,
    "AWS_S3_REGION_NAME": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


def test_no_bucket_keeps_the_filesystem():
    assert s3_storage({}.get) is None


def test_the_bucket_options_are_private_and_never_overwrite():
    options = s3_storage({**ENV, "AWS_S3_ENDPOINT_URL": "http://minio:9000"}.get)["OPTIONS"]
    assert options["default_acl"] == "private"
    assert options["file_overwrite"] is False
    assert options["addressing_style"] == "path"  # a self-hosted endpoint has no bucket DNS
    assert options["endpoint_url"] == "http://minio:9000"


@pytest.fixture
def bucket(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    with moto.mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET)
        storages = {
            "default": s3_storage(ENV.get),
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(STORAGES=storages):
            yield client


def objects(client):
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {
        item["Key"]: hashlib.sha256(
            client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        ).hexdigest()
        for item in listed
    }


def test_an_existing_name_is_never_overwritten_and_objects_are_private(bucket):
    first = default_storage.save("evidence/ab/same.pdf", ContentFile(b"one"))
    second = default_storage.save("evidence/ab/same.pdf", ContentFile(b"two"))
    assert first == "evidence/ab/same.pdf" and second != first
    assert bucket.get_object(Bucket=BUCKET, Key=first)["Body"].read() == b"one"
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=first)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only
    assert not any("AllUsers" in str(g["Grantee"]) for g in grants)


def test_evidence_lands_in_the_bucket_and_downloads_only_for_allowed_users(bucket, client, db):
    world = build_world()
    report = draft(world)
    content = PDF_BYTES + b"%" * 5000
    client.force_login(world.reporter)
    response = client.post(
        reverse("reports:evidence_upload", args=[report.pk]),
        {"file": upload("会议纪要.pdf", content)},
    )
    assert response.status_code == 302
    evidence = report.evidence.get()
    assert bucket.get_object(Bucket=BUCKET, Key=evidence.file.name)["Body"].read() == content

    for view in ("reports:evidence_download", "reports:evidence_view"):
        response = client.get(reverse(view, args=[evidence.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content
    client.logout()
    client.force_login(world.other_reporter)  # another unit, not on the task
    response = client.get(reverse("reports:evidence_download", args=[evidence.pk]))
    assert response.status_code == 404


def test_a_supervision_order_reply_file_lands_in_the_bucket_and_downloads_by_access(
    bucket, client, db
):
    from supervision.orders.models import SupervisionFile
    from supervision.tests.orders_fixtures import ISSUED_AT, acknowledge_and_reply, issue

    world = build_world()
    order = issue(world, assisting=[])
    acknowledge_and_reply(world, order, when=ISSUED_AT)
    row = SupervisionFile.objects.get()
    assert bucket.get_object(Bucket=BUCKET, Key=row.file.name)["Body"].read() == PDF_BYTES
    url = reverse("supervision:order_file", args=[row.pk])
    client.force_login(world.reporter)  # the ordered unit
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    client.force_login(world.other_reporter)  # a unit the order does not concern
    assert client.get(url).status_code == 404


def test_a_missing_object_is_the_chinese_404_not_an_error(bucket, client, db):
    world = build_world()
    report = draft(world)
    evidence = services.evidence_add(
        user=world.reporter, report=report, uploaded_file=upload("x.pdf", PDF_BYTES)
    )
    bucket.delete_object(Bucket=BUCKET, Key=evidence.file.name)
    client.force_login(world.reporter)
    response = client.get(reverse("reports:evidence_download", args=[evidence.pk]))
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_copy_every_object_through_the_storage_api(bucket, tmp_path):
    world = build_world()
    report = draft(world)
    services.evidence_add(
        user=world.reporter, report=report, uploaded_file=upload("纪要.pdf", PDF_BYTES)
    )
    default_storage.save("plan-imports/pending.xlsx", ContentFile(b"staging"))  # not data
    before = objects(bucket)
    evidence_keys = [k for k in before if k.startswith("evidence/")]
    assert len(evidence_keys) == 1 and stored_names() == evidence_keys

    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive))
    call_command("flush", interactive=False)
    for key in before:
        bucket.delete_object(Bucket=BUCKET, Key=key)
    assert objects(bucket) == {}

    call_command("restore", str(archive))
    connection.close()
    from reports.models import Evidence

    restored = objects(bucket)
    assert restored == {k: before[k] for k in evidence_keys}  # same keys, same bytes
    assert Evidence.objects.get().file.name == evidence_keys[0]


def _production_settings(**env):
    """SESSION_ENGINE and the default storage's backend as the production settings module
    computes them from `env` (a fresh interpreter: settings are read once per process)."""
    script = (
        "from django.conf import settings as s; "
        "print(s.SESSION_ENGINE, s.STORAGES['default']['BACKEND'], "
        "s.IMPORT_EXPORT_TMP_STORAGE_CLASS)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CACHE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "huancui_vet.settings",
            "SECRET_KEY": "x" * 50,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_one_host_keeps_database_sessions_and_files_on_disk():
    engine, storage, staging = _production_settings()
    assert engine == "django.contrib.sessions.backends.db"
    assert storage == "django.core.files.storage.FileSystemStorage"
    assert staging == "import_export.tmp_storages.MediaStorage"  # the default storage


def test_a_shared_cache_and_a_bucket_make_sessions_cached_and_files_shared():
    engine, storage, _ = _production_settings(
        CACHE_URL="redis://127.0.0.1:6379/9", AWS_STORAGE_BUCKET_NAME="province"
    )
    assert engine == "django.contrib.sessions.backends.cached_db"
    assert storage == "storages.backends.s3.S3Storage"
