"""`GET /healthz`: is the portal able to serve, and are its Redis and Celery workers reachable?

Load balancers and monitoring poll this, so it must answer quickly even when a dependency is
dead: every check has a sub-second timeout and Celery is not asked when Redis is already down.
Output names the parts and their state only, never URLs or credentials.
"""

import logging
from typing import Any

import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 0.5
# A ping waits the whole timeout to collect every worker's reply, so this is also the time a
# healthy check takes.
CELERY_PING_TIMEOUT_SECONDS = 0.5

OK = "ok"
DOWN = "down"
NOT_CONFIGURED = "not configured"
EAGER = "eager"
# States that do not make the portal unhealthy.
_HEALTHY = {OK, NOT_CONFIGURED, EAGER}


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("Health check: database unreachable", exc_info=True)
        return {"status": DOWN}
    return {"status": OK}


def check_redis(*, url: str) -> dict[str, Any]:
    if not url:
        return {"status": NOT_CONFIGURED}
    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except Exception:
        logger.warning("Health check: Redis unreachable", exc_info=True)
        return {"status": DOWN}
    finally:
        client.close()
    return {"status": OK}


def check_celery(*, broker_url: str, eager: bool, broker_up: bool) -> dict[str, Any]:
    if eager:
        return {"status": EAGER}
    if not broker_url:
        return {"status": NOT_CONFIGURED}
    if not broker_up:
        return {"status": DOWN, "workers": 0}
    # A throwaway app on the current settings' broker: the portal's app keeps whichever URL it
    # read first, and its control client publishes through that app's own connection pool.
    probe = Celery("kontum_poverty", set_as_current=False)
    probe.config_from_object("django.conf:settings", namespace="CELERY")
    probe.conf.broker_url = broker_url
    # Redis transport: poll for replies more often than once a second so the timeout holds.
    probe.conf.broker_transport_options = {
        **probe.conf.broker_transport_options,
        "polling_interval": 0.1,
    }
    try:
        replies = probe.control.ping(timeout=CELERY_PING_TIMEOUT_SECONDS)
    except Exception:
        logger.warning("Health check: Celery workers unreachable", exc_info=True)
        return {"status": DOWN, "workers": 0}
    finally:
        probe.close()
    workers = len(replies)
    return {"status": OK if workers else DOWN, "workers": workers}


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    redis_url = settings.REDIS_URL
    redis_check = check_redis(url=redis_url)
    checks = {
        "database": check_database(),
        "redis": redis_check,
        "celery": check_celery(
            broker_url=redis_url,
            eager=settings.CELERY_TASK_ALWAYS_EAGER,
            broker_up=redis_check["status"] == OK,
        ),
    }
    healthy = all(check["status"] in _HEALTHY for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )
