"""The S3-compatible storage of uploaded files, built from the environment.

Read by settings.py (and by the tests, with their own values). Kept apart so the options a
province's installation runs with are the ones the tests exercise.
"""

from collections.abc import Callable

# A download is spooled to a temporary file above this size, not held in memory.
S3_MAX_MEMORY_BYTES = 2 * 1024 * 1024


def s3_storage(get: Callable[[str, str], str]) -> dict | None:
    """The STORAGES["default"] entry for an S3-compatible bucket, or None when
    AWS_STORAGE_BUCKET_NAME is empty (files then stay under MEDIA_ROOT).

    `get(name, default)` reads one environment variable.
    """
    bucket = get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        return None
    endpoint = get("AWS_S3_ENDPOINT_URL", "") or None
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": get("AWS_S3_REGION_NAME", "") or None,
            # Unset: boto3's own lookup (environment, instance role).
            "access_key": get("AWS_ACCESS_KEY_ID", "") or None,
            "secret_key": get("AWS_SECRET_ACCESS_KEY", "") or None,
            "location": get("AWS_LOCATION", ""),
            # MinIO and most self-hosted stores need path-style URLs (no DNS name per bucket).
            "addressing_style": get("AWS_S3_ADDRESSING_STYLE", "path" if endpoint else "") or None,
            "signature_version": "s3v4",
            # Never public: objects are private and the portal hands out no object URLs;
            # every download goes through an access-checked view that streams the bytes.
            "default_acl": get("AWS_DEFAULT_ACL", "private") or None,
            "querystring_auth": True,
            # Two uploads never share a key: an existing name gets a new one, not overwritten.
            "file_overwrite": False,
            "max_memory_size": S3_MAX_MEMORY_BYTES,
        },
    }
