import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _start(**env):
    """Import the settings in a fresh interpreter, as a production start would."""
    clean = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "coprod.settings"} | env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_production_start_without_secret_key_stops_with_message():
    result = _start()

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"DEBUG": "1", "DATABASE_URL": "nonsense://db"}, "DATABASE_URL cannot be parsed"),
        ({"DEBUG": "1", "EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": "twenty-five"}, "EMAIL_PORT must be"),
    ],
)
def test_settings_bad_values_name_the_variable(env, message):
    result = _start(**env)

    assert result.returncode != 0
    assert message in result.stderr


def test_settings_production_start_with_secret_key_succeeds():
    result = _start(SECRET_KEY="x" * 60)

    assert (result.returncode, result.stderr) == (0, "")


def test_without_redis_the_deploy_check_warns(settings):
    from coprod.checks import shared_cache

    settings.REDIS_URL = ""
    assert [warning.id for warning in shared_cache(None)] == ["coprod.W001"]
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert shared_cache(None) == []


def test_redis_url_makes_redis_the_shared_cache():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.CACHES['default']['BACKEND'], s.CACHES['local']['BACKEND'])",
        ],
        cwd=ROOT,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "coprod.settings", "DEBUG": "1", "REDIS_URL": "redis://r:6379/0"},
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "django.core.cache.backends.locmem.LocMemCache",
    ]
