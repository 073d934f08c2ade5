import socket
import time

import pytest
from celery.app.control import Control
from django.urls import reverse

pytestmark = pytest.mark.django_db


def dead_redis_url(*, password: str = "") -> str:
    """A Redis URL on a local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    auth = f":{password}@" if password else ""
    return f"redis://{auth}127.0.0.1:{port}/0"


def use_redis(settings, url: str) -> None:
    settings.REDIS_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = not url


def test_without_redis_the_portal_is_healthy_and_runs_tasks_eagerly(client, settings):
    use_redis(settings, "")

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"status": "ok"},
            "redis": {"status": "not configured"},
            "celery": {"status": "eager"},
        },
    }


def test_health_is_public_and_never_cached(client, settings):
    use_redis(settings, "")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_health_check_refuses_writes(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_a_dead_redis_fails_the_check_within_a_second(client, settings):
    use_redis(settings, dead_redis_url())

    started = time.monotonic()
    response = client.get(reverse("healthz"))
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["redis"] == {"status": "down"}
    assert body["checks"]["celery"] == {"status": "down", "workers": 0}
    assert elapsed < 1.2


def test_health_output_never_shows_the_redis_url(client, settings):
    url = dead_redis_url(password="hunter2-secret")
    use_redis(settings, url)

    content = client.get(reverse("healthz")).content.decode()

    assert "hunter2-secret" not in content
    assert "127.0.0.1" not in content


def test_reachable_redis_without_a_worker_is_unhealthy(client, settings, redis_url):
    use_redis(settings, redis_url)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {
            "database": {"status": "ok"},
            "redis": {"status": "ok"},
            "celery": {"status": "down", "workers": 0},
        },
    }


def test_redis_with_an_answering_worker_is_healthy(client, settings, redis_url, monkeypatch):
    use_redis(settings, redis_url)
    pinged = {}

    def fake_ping(control, *, timeout):
        pinged["broker"] = control.app.conf.broker_url
        return [{"celery@worker-1": {"ok": "pong"}}]

    monkeypatch.setattr(Control, "ping", fake_ping)

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["checks"]["celery"] == {"status": "ok", "workers": 1}
    assert pinged["broker"] == redis_url
