"""Settings read from the environment: what they default to, and that `.env.example` covers them."""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from kombu.exceptions import OperationalError

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS_FILE = BASE_DIR / "kontum_poverty" / "settings.py"
ENV_EXAMPLE = BASE_DIR / ".env.example"

_READ_PATTERNS = [
    re.compile(r"""\benv_(?:str|bool|int|list)\(\s*["']([A-Z][A-Z0-9_]*)["']"""),
    re.compile(r"""\bos\.(?:environ\.get|getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']"""),
    re.compile(r"""\bos\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""),
]


def variables_settings_read() -> set[str]:
    source = SETTINGS_FILE.read_text(encoding="utf-8")
    return {name for pattern in _READ_PATTERNS for name in pattern.findall(source)}


def variables_env_example_lists() -> set[str]:
    """Names given a value in .env.example, whether active or commented out as a default."""
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def dead_redis_url() -> str:
    """A Redis URL on a local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def environment_without_settings(**env: str) -> dict[str, str]:
    """This process's environment minus anything the settings read, plus `env`."""
    ignored = variables_settings_read() | {"DJANGO_SETTINGS_MODULE"}
    return {**{k: v for k, v in os.environ.items() if k not in ignored}, **env}


def settings_in_subprocess(*names: str, **env: str) -> dict:
    """Import the real settings module afresh under `env` and return the named settings."""
    code = (
        "import json, sys\n"
        "from kontum_poverty import settings as s\n"
        "print(json.dumps({n: getattr(s, n) for n in sys.argv[1:]}, default=str))\n"
    )
    result = subprocess.run(  # noqa: S603 - fixed interpreter and code, no user input
        [sys.executable, "-c", code, *names],
        cwd=BASE_DIR,
        env=environment_without_settings(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_env_example_lists_every_variable_the_settings_read():
    read = variables_settings_read()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= read

    missing = read - variables_env_example_lists()

    assert not missing, f".env.example does not mention: {sorted(missing)}"


def test_without_redis_tasks_run_eagerly_and_the_cache_is_local():
    values = settings_in_subprocess(
        "CELERY_TASK_ALWAYS_EAGER", "CACHES", "CELERY_RESULT_BACKEND", DEBUG="1"
    )

    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["CELERY_RESULT_BACKEND"] is None
    assert values["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")


def test_redis_url_switches_on_real_workers_and_the_redis_cache():
    url = "redis://127.0.0.1:6379/3"
    values = settings_in_subprocess(
        "CELERY_TASK_ALWAYS_EAGER",
        "CELERY_BROKER_URL",
        "CELERY_RESULT_BACKEND",
        "CACHES",
        DEBUG="1",
        REDIS_URL=url,
    )

    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["CELERY_BROKER_URL"] == url
    assert values["CELERY_RESULT_BACKEND"] == url
    cache = values["CACHES"]["default"]
    assert cache["BACKEND"] == "kontum_poverty.cache.ResilientRedisCache"
    assert cache["LOCATION"] == url
    assert cache["OPTIONS"]["socket_connect_timeout"] <= 1


@pytest.mark.parametrize(
    "with_result_backend", [True, False], ids=["broker-and-results", "broker-only"]
)
def test_publishing_a_task_fails_fast_when_redis_is_down(settings, with_result_backend):
    url = dead_redis_url()
    settings.CELERY_BROKER_URL = url
    settings.CELERY_RESULT_BACKEND = url if with_result_backend else None
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # A fresh app reads every other CELERY_* setting (timeouts, retry policies) as the portal does.
    app = Celery("kontum_poverty", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")

    @app.task
    def noop() -> None:
        return None

    started = time.monotonic()
    try:
        with pytest.raises((OperationalError, RuntimeError)):
            noop.delay()
    finally:
        app.close()

    assert time.monotonic() - started < 2


def test_production_settings_pass_the_deploy_check():
    env = environment_without_settings(
        DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="portal.example"
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    code = "import kontum_poverty.settings"

    result = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment_without_settings(DEBUG="0"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def _manage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment_without_settings(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migration_checks_run_on_a_fresh_checkout_without_a_secret_key():
    result = _manage("makemigrations", "--check", "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_commands_that_act_as_the_portal_still_need_a_secret_key():
    result = _manage("load_demo")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
