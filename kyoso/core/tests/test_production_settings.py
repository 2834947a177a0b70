"""The documented production environment passes Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PRODUCTION_ENV = {
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-deploy-check-test-only-9f3a",
    "ALLOWED_HOSTS": "kyoso.pref.wakayama.example",
    "CSRF_TRUSTED_ORIGINS": "https://kyoso.pref.wakayama.example",
    "DATABASE_URL": "sqlite:////tmp/kyoso-deploy-check.sqlite3",
    "EMAIL_HOST": "smtp.pref.wakayama.example",
    "SECURE_PROXY_SSL_HEADER": "1",
}


def base_env() -> dict[str, str]:
    """Only what any process needs: none of the test run's own variables leak in."""
    return {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base_env(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_documented_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    deploy = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert deploy.returncode != 0
    assert "security.W009" in deploy.stdout + deploy.stderr
    server = subprocess.run(
        [sys.executable, "-c", "import kyoso.wsgi"],
        cwd=ROOT,
        env={**base_env(), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert server.returncode != 0
    assert "SECRET_KEY must be set" in server.stderr


def test_commands_that_sign_nothing_run_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("makemigrations", "--check", "--dry-run", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_malformed_boolean_stops_the_start():
    result = run_manage("check", env={**PRODUCTION_ENV, "SECURE_SSL_REDIRECT": "maybe"})
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT must be one of" in result.stderr


def test_debug_is_off_by_default():
    code = "from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **base_env(),
            **PRODUCTION_ENV,
            "DJANGO_SETTINGS_MODULE": "kyoso.settings",
        },
    )
    assert result.stdout.split() == ["False", "True"], result.stderr
