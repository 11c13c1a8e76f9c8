"""docker-compose.yml cannot run here (no Docker): check it against the settings instead."""

import re
from pathlib import Path

import yaml
from django.conf import settings

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


NGINX = (ROOT / "deploy" / "nginx.conf").read_text()
NGINX_DIRECTIVES = [
    line.split("#", 1)[0].strip().rstrip(";").split(None, 1)
    for line in NGINX.splitlines()
    if line.split("#", 1)[0].strip()
]


def nginx(directive: str) -> list[str]:
    return [rest[0] if rest else "" for name, *rest in NGINX_DIRECTIVES if name == directive]


def test_the_stack_has_every_process_with_health_checks_and_volumes():
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat", "proxy"}
    for name in ["db", "redis", "web", "worker", "beat", "proxy"]:
        assert "healthcheck" in services[name], name
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert {"pgdata", "redisdata", "media"} <= set(compose["volumes"])


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
    port = web[web.index("--bind") + 1].rsplit(":", 1)[1]
    assert services["web"]["expose"] == [port]
    assert f"http://web:{port}" in NGINX  # the proxy forwards to gunicorn's port
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


def test_only_the_proxy_publishes_a_port():
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert len(proxy["ports"]) == 1 and proxy["ports"][0].endswith(":" + nginx("listen")[0])
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_app_trusts_exactly_the_one_proxy():
    assert str(services["web"]["environment"]["TRUSTED_PROXY_COUNT"]) == "1"
    forwarded = {value.split()[0].lower(): value.split()[1] for value in nginx("proxy_set_header")}
    assert forwarded["host"] == "$http_host"
    assert forwarded["x-forwarded-for"] == "$proxy_add_x_forwarded_for"
    assert forwarded["x-forwarded-proto"] == "$scheme"  # never the client's own header


def _nginx_bytes(size: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    return int(size[:-1]) * units[size[-1].lower()] if size[-1].isalpha() else int(size)


def test_the_proxy_lets_every_upload_the_app_accepts_through():
    """The app answers a too-large upload itself, in JSON; nginx's own 413 is an HTML page."""
    limit = int(services["web"]["environment"].get("IMPORT_MAX_BYTES", settings.IMPORT_MAX_BYTES))
    (size,) = nginx("client_max_body_size")
    assert _nginx_bytes(size) >= limit + 64 * 1024  # the file and its form fields
    assert _nginx_bytes(nginx("client_body_buffer_size")[0]) >= settings.API_MAX_BODY_BYTES
    read_timeout = int(nginx("proxy_read_timeout")[0].rstrip("s"))
    web = command("web")
    assert read_timeout >= int(web[web.index("--timeout") + 1])


def test_web_and_worker_share_the_files_volume():
    mounts = {}
    for name in ["web", "worker"]:
        (mount,) = [v for v in services[name].get("volumes", []) if v.startswith("media:")]
        mounts[name] = mount.split(":")[1]
    assert mounts["web"] == mounts["worker"]
    root = mounts["web"]
    for name in ["web", "worker"]:
        env = services[name]["environment"]
        for setting in ["EXPORT_ROOT", "IMPORT_ROOT"]:
            assert env[setting].startswith(root + "/"), (name, setting)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "WORKDIR /app" in dockerfile and root.startswith("/app/")
    # The mount point exists in the image, owned by the user the app runs as, so the new
    # volume takes that owner (Docker copies it) and the app can write there.
    user = re.search(r"^USER (\S+)", dockerfile, re.M).group(1)
    assert f"mkdir -p {root}" in dockerfile and f"chown -R {user} /app/var" in dockerfile
