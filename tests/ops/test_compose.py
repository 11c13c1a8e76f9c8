"""docker-compose.yml cannot run here (no Docker): check it against the settings instead."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = (ROOT / "config" / "settings" / "base.py").read_text() + (
    ROOT / "config" / "settings" / "production.py"
).read_text()
READ_BY_SETTINGS = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', SETTINGS))
compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
services = compose["services"]


def command(name: str) -> list[str]:
    value = services[name]["command"]
    return value if isinstance(value, list) else value.split()


def test_the_stack_has_every_process_with_health_checks_and_volumes():
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat"}
    for name in ["db", "redis", "web", "worker", "beat"]:
        assert "healthcheck" in services[name], name
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert {"pgdata", "redisdata"} <= set(compose["volumes"])


def test_app_services_run_production_settings_from_the_environment():
    for name in ["migrate", "web", "worker", "beat"]:
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        unknown = set(env) - READ_BY_SETTINGS - {"DJANGO_SETTINGS_MODULE"}
        assert not unknown, f"{name} sets variables the settings never read: {unknown}"
        for required in ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"]:
            assert required in env, (name, required)
        assert env["DATABASE_URL"].startswith("postgis://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")


def test_commands_and_ports_match():
    web = command("web")
    assert web[:2] == ["gunicorn", "config.wsgi"]
    bind = web[web.index("--bind") + 1]
    assert services["web"]["ports"] == [f"{bind.rsplit(':', 1)[1]}:{bind.rsplit(':', 1)[1]}"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert command("worker")[:4] == ["celery", "-A", "config", "worker"]
    assert command("beat")[:4] == ["celery", "-A", "config", "beat"]
    migrate = " ".join(command("migrate"))
    assert "manage.py migrate --noinput" in migrate and "load_reference --if-empty" in migrate
    for name in ["web", "worker", "beat"]:
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_the_scripted_stack_runs_the_same_processes():
    script = (ROOT / "scripts" / "stack.sh").read_text()
    assert 'gunicorn" config.wsgi' in script and 'celery" -A config worker' in script
    assert 'celery" -A config beat' in script and "manage.py migrate --noinput" in script
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in script
