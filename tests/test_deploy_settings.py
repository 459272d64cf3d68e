import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-check-only-0123456789",
        "ALLOWED_HOSTS": "registro.example.gob.pe",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' conftest
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_collectstatic_with_production_settings(tmp_path):
    """The README's deploy step: the manifest storage refuses a file that names a missing one
    (a vendored library's source map, say), which left production without static files."""
    env = {
        **os.environ,
        "SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-check-only-0123456789",
        "ALLOWED_HOSTS": "registro.example.gob.pe",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
