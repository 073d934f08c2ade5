"""Test settings: the real settings with a fast hasher, locmem e-mail and a temporary media root."""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")


def redis_url_for_worker(url: str, worker: str) -> str:
    """`url` moved to its own database for pytest-xdist worker `worker` ("gw0", "gw1", ...).

    Each worker starts its own Celery workers; on one Redis database they would take each other's
    tasks and read the other worker's test database.
    """
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + int(worker.removeprefix('gw'))) % 16}"))


# Done once per worker: a Celery worker a test starts inherits the moved URL and the marker.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and os.environ.get("REDIS_URL") and not os.environ.get("TEST_REDIS_WORKER"):
    os.environ["REDIS_URL"] = redis_url_for_worker(os.environ["REDIS_URL"], _worker)
    os.environ["TEST_REDIS_WORKER"] = _worker

from kontum_poverty.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A Celery worker started by a test shares the test process's media folder through TEST_MEDIA_ROOT.
MEDIA_ROOT = Path(
    os.environ.get("TEST_MEDIA_ROOT") or tempfile.mkdtemp(prefix="kontum-test-media-")
)
STORAGES["default"]["OPTIONS"]["location"] = str(MEDIA_ROOT)  # noqa: F405
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Tasks run inline in tests even when CI exports REDIS_URL; a test about real workers starts a
# worker and switches this off itself.
CELERY_TASK_ALWAYS_EAGER = True
# Each test run keeps its own cache, even when REDIS_URL points at a shared Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
