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
CADDYFILE = BASE_DIR / "Caddyfile"

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


def web_port(compose: dict) -> str:
    bind = next(w for w in command_words(compose["services"]["web"]) if w.startswith("--bind="))
    return bind.split("=", 1)[1].rsplit(":", 1)[1]


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
    port = web_port(compose)
    assert port in exposed_ports(dockerfile)
    assert [str(p) for p in web["expose"]] == [port]
    # `docker run` without compose serves the same app on the same port.
    assert "kontum_poverty.wsgi" in dockerfile
    assert f"0.0.0.0:{port}" in dockerfile


def test_only_the_proxy_publishes_ports(compose):
    publishing = sorted(name for name, service in compose["services"].items() if "ports" in service)

    assert publishing == ["caddy"]
    assert {str(p).split("/")[0] for p in compose["services"]["caddy"]["ports"]} == {
        "80:80",
        "443:443",
    }


def test_caddy_proxies_to_every_web_replica_with_https_compression_and_static_caching(compose):
    caddyfile = CADDYFILE.read_text(encoding="utf-8")
    caddy = compose["services"]["caddy"]

    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert "SITE_DOMAIN" in service_environment(caddy)
    # The site address is the domain: Caddy then gets its certificate and redirects to HTTPS.
    assert re.search(r"^\{\$SITE_DOMAIN\}\s*\{", caddyfile, re.MULTILINE)
    assert re.search(r"^\s*encode zstd gzip$", caddyfile, re.MULTILINE)
    proxy = caddyfile[caddyfile.index("reverse_proxy") :]
    assert re.search(r"name web\s", proxy)
    assert re.search(rf"port {web_port(compose)}\s", proxy)
    static = re.search(r"@hashed_static path_regexp (\S+)", caddyfile)
    assert static
    hashed = re.compile(static.group(1))
    assert hashed.match("/static/css/portal.3f2a9b8c7d6e.css")
    assert not hashed.match("/static/css/portal.css")
    assert not hashed.match("/report/12/")
    assert "max-age=31536000, immutable" in caddyfile
    # The proxy and web share a network that the database and Redis are not on.
    assert "edge" in caddy["networks"] and "edge" in compose["services"]["web"]["networks"]
    assert "edge" not in compose["services"]["db"].get("networks", [])


def test_the_login_lockout_trusts_only_the_proxys_network(compose):
    (subnet,) = [entry["subnet"] for entry in compose["networks"]["edge"]["ipam"]["config"]]
    for name in APP_SERVICES:
        assert service_environment(compose["services"][name])["TRUSTED_PROXIES"] == subnet


@pytest.mark.parametrize("name", ["caddy", "db", "redis", "web", "worker", "beat", "backup"])
def test_every_long_running_service_has_a_healthcheck(compose, name):
    test = compose["services"][name]["healthcheck"]["test"]

    assert test[0] in {"CMD", "CMD-SHELL"}
    assert len(test) > 1


def test_every_service_but_the_one_shot_migration_is_long_running(compose):
    one_shot = [n for n, s in compose["services"].items() if s.get("restart") == "no"]
    checked = {n for n, s in compose["services"].items() if "healthcheck" in s}

    assert one_shot == ["migrate"]
    assert checked == set(compose["services"]) - {"migrate"}


def test_healthchecks_ask_each_service_itself(compose):
    services = compose["services"]
    words = lambda name: " ".join(str(w) for w in services[name]["healthcheck"]["test"])  # noqa: E731

    assert "/healthz" in words("web")
    assert "pg_isready" in words("db")
    assert "redis-cli ping" in words("redis")
    # $$ is compose's escape: the container's shell expands $HOSTNAME to this replica's node.
    assert "celery -A kontum_poverty inspect ping -d celery@$$HOSTNAME" in words("worker")
    assert "celerybeat-schedule" in words("beat")
    schedule = next(w for w in command_words(services["beat"]) if w.startswith("--schedule="))
    folder, file_name = schedule.split("=", 1)[1].rsplit("/", 1)
    assert f"find {folder} " in words("beat") and file_name in words("beat")


def test_every_dependency_waits_on_a_condition(compose):
    for name, service in compose["services"].items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), name
        for dependency, rule in depends_on.items():
            assert rule["condition"] in {
                "service_healthy",
                "service_completed_successfully",
            }, f"{name} -> {dependency}"
    assert compose["services"]["caddy"]["depends_on"]["web"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_web_and_worker_scale_by_replicas(compose, name):
    service = compose["services"][name]

    assert "replicas" in service["deploy"]
    assert "container_name" not in service
    assert "ports" not in service


def test_backup_service_runs_the_backup_script_daily_with_retention(compose):
    services = compose["services"]
    backup = services["backup"]
    environment = service_environment(backup)
    script = " ".join(backup["command"])

    # pg_dump from the db's own image: always the server's version.
    assert backup["image"] == services["db"]["image"]
    assert "/opt/kontum/bin/backup.sh --prune" in script
    assert "sleep" in script and "tomorrow" in script
    assert "./bin:/opt/kontum/bin:ro" in backup["volumes"]
    assert f"media:{environment['MEDIA_ROOT']}" in backup["volumes"]
    assert any(v.endswith(f":{environment['BACKUP_DIR']}") for v in backup["volumes"])
    assert (environment["KEEP_DAILY"], environment["KEEP_WEEKLY"]) == ("14", "8")
    assert urlsplit(environment["DATABASE_URL"]) == urlsplit(
        service_environment(services["web"])["DATABASE_URL"]
    )
    assert (BASE_DIR / "bin" / "backup.sh").stat().st_mode & 0o111


def test_compose_postgres_is_the_major_version_the_tests_run_on(compose):
    image = compose["services"]["db"]["image"]
    major = image.split(":")[1].split(".")[0].split("-")[0]
    pins = re.findall(
        r"^embedded[-_]postgres==(\d+)\.",
        "".join(p.read_text(encoding="utf-8") for p in BASE_DIR.glob("requirements*.txt")),
        re.MULTILINE | re.IGNORECASE,
    )

    assert major == "18"
    assert all(pin == major for pin in pins)
    # The postgres:18 image keeps its data under /var/lib/postgresql/18/: mount the parent.
    assert "pgdata:/var/lib/postgresql" in compose["services"]["db"]["volumes"]


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
