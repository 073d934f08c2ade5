"""docker-compose.yml and the Dockerfile fit together, read as files (no Docker engine here)."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"
ENV_EXAMPLE = BASE_DIR / ".env.example"

APP_SERVICES = ["web", "worker"]
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def service_environment(service: dict) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        return dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


def command_words(service: dict) -> list[str]:
    command = service["command"]
    return command.split() if isinstance(command, str) else [str(word) for word in command]


def dependencies(service: dict) -> list[str]:
    depends_on = service.get("depends_on", [])
    return list(depends_on) if isinstance(depends_on, dict | list) else [depends_on]


def exposed_ports(dockerfile: str) -> set[str]:
    return {
        port.split("/")[0]
        for line in re.findall(r"^EXPOSE\s+(.+)$", dockerfile, flags=re.MULTILINE)
        for port in line.split()
    }


def test_every_dependency_is_a_service(compose):
    services = compose["services"]
    for name, service in services.items():
        for dependency in dependencies(service):
            assert dependency in services, f"{name} depends on unknown service {dependency}"


def test_web_and_worker_wait_for_healthy_database_and_redis(compose):
    services = compose["services"]
    assert "healthcheck" in services["db"]
    assert "healthcheck" in services["redis"]
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["db"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name


def test_migrations_run_once_before_web_and_worker_start(compose):
    services = compose["services"]
    migrate = services["migrate"]
    assert command_words(migrate)[-3:] == ["manage.py", "migrate", "--noinput"]
    for name in APP_SERVICES:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


@pytest.mark.parametrize("name", [*APP_SERVICES, "migrate"])
def test_app_services_reach_the_db_and_redis_services(compose, name):
    environment = service_environment(compose["services"][name])

    database = urlsplit(environment["DATABASE_URL"])
    redis = urlsplit(environment["REDIS_URL"])

    assert database.scheme in {"postgres", "postgresql"}
    assert database.hostname == "db"
    assert redis.scheme == "redis"
    assert redis.hostname == "redis"
    assert environment["DEBUG"] == "0"
    assert {"SECRET_KEY", "ALLOWED_HOSTS"} <= environment.keys()


def test_database_url_matches_the_db_service(compose):
    db_env = service_environment(compose["services"]["db"])
    database = urlsplit(service_environment(compose["services"]["web"])["DATABASE_URL"])

    assert database.username == db_env["POSTGRES_USER"]
    assert database.path.lstrip("/") == db_env["POSTGRES_DB"]
    # Both sides take the password from the same variable.
    assert _VARIABLE.findall(database.password) == _VARIABLE.findall(db_env["POSTGRES_PASSWORD"])
    assert _VARIABLE.findall(database.password) == ["POSTGRES_PASSWORD"]


def test_every_named_volume_is_declared(compose):
    declared = set(compose.get("volumes") or {})
    used = set()
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            if not source.startswith((".", "/", "~")):
                used.add(source)

    assert used <= declared, f"undeclared volumes: {sorted(used - declared)}"


def test_web_and_worker_share_the_media_volume(compose):
    services = compose["services"]
    media_mounts = [
        {volume for volume in services[name]["volumes"] if volume.startswith("media:")}
        for name in APP_SERVICES
    ]

    assert media_mounts[0] and media_mounts[0] == media_mounts[1]
    mount_point = media_mounts[0].pop().split(":")[1]
    assert service_environment(services["web"])["MEDIA_ROOT"] == mount_point


def test_worker_runs_the_portals_celery_app(compose):
    words = command_words(compose["services"]["worker"])

    assert words[0] == "celery"
    assert words[words.index("-A") + 1] == "kontum_poverty"
    assert "worker" in words


def test_beat_runs_the_report_reconciler_once(compose):
    from django.conf import settings

    beats = [
        name
        for name, service in compose["services"].items()
        if "command" in service and "beat" in command_words(service)
    ]
    assert beats == ["beat"]  # two schedulers would send every reminder twice
    words = command_words(compose["services"]["beat"])
    assert words[words.index("-A") + 1] == "kontum_poverty"
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reports.tasks.reports_reconcile" in tasks


def test_web_serves_the_wsgi_app_on_the_port_the_dockerfile_exposes(compose):
    web = compose["services"]["web"]
    words = command_words(web)
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")

    assert words[0] == "gunicorn"
    assert "kontum_poverty.wsgi" in words
    bind = next(word.split("=", 1)[1] for word in words if word.startswith("--bind="))
    port = bind.rsplit(":", 1)[1]
    assert port in exposed_ports(dockerfile)
    assert any(str(mapping).endswith(f":{port}") for mapping in web["ports"])
    # `docker run` without compose serves the same app on the same port.
    assert "kontum_poverty.wsgi" in dockerfile
    assert f"0.0.0.0:{port}" in dockerfile


def test_image_runs_as_a_non_root_user():
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE.read_text(encoding="utf-8"), re.MULTILINE)

    assert users
    assert users[-1] not in {"root", "0"}


def test_every_compose_variable_is_documented_in_env_example():
    referenced = set(_VARIABLE.findall(COMPOSE_FILE.read_text(encoding="utf-8")))
    documented = set(
        re.findall(
            r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE
        )
    )

    assert referenced
    assert referenced <= documented, f"missing from .env.example: {sorted(referenced - documented)}"


def test_the_build_context_leaves_out_local_state_and_secrets():
    ignored = (BASE_DIR / ".dockerignore").read_text(encoding="utf-8").split()

    assert {".env", ".venv", ".git", "var"} <= set(ignored)
