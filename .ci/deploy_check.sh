#!/usr/bin/env bash
# The README's deploy steps with the production settings, as an operator runs them:
#   collectstatic, check --deploy, then gunicorn serving from the collected files on loopback
#   (a static file by its hashed name, and the JavaScript catalogue page), stopped after.
# Everything lives in a temporary folder; nothing in the repo is written. Exit non-zero on failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY="${PYTHON:-.venv/bin/python}"
GUNICORN="$(dirname "$PY")/gunicorn"
WORK="$(mktemp -d)"
PORT="${DEPLOY_CHECK_PORT:-18731}"
GUNICORN_PID=""
cleanup() {
    if [ -n "$GUNICORN_PID" ]; then kill "$GUNICORN_PID" 2>/dev/null || true; wait "$GUNICORN_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

export DJANGO_SETTINGS_MODULE=config.settings.production
export SECRET_KEY="deploy-check-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 60)"
export ALLOWED_HOSTS=127.0.0.1
export STATIC_ROOT="$WORK/static"
export PRIVATE_MEDIA_ROOT="$WORK/private" MEDIA_ROOT="$WORK/media"
export DATABASE_URL="sqlite:///$WORK/db.sqlite3"
unset REDIS_URL ELASTICSEARCH_URL || true

echo "[deploy] collectstatic"
"$PY" manage.py collectstatic --noinput -v0
echo "[deploy] check --deploy"
"$PY" manage.py check --deploy --fail-level WARNING

echo "[deploy] gunicorn on 127.0.0.1:$PORT"
"$GUNICORN" config.wsgi --bind "127.0.0.1:$PORT" --workers 1 --log-level warning &
GUNICORN_PID=$!
asset="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["paths"]["vendor/leaflet/leaflet.js"])' "$STATIC_ROOT/staticfiles.json")"
ok=""
for _ in $(seq 1 40); do
    if "$PY" - "$PORT" "$asset" <<'PYEOF' 2>/dev/null
import sys, urllib.request
port, asset = sys.argv[1], sys.argv[2]
# The TLS proxy's header (SECURE_PROXY_SSL_HEADER), else production redirects to https.
headers = {"X-Forwarded-Proto": "https"}
for path in (f"/static/{asset}", "/jsi18n/"):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200, (path, response.status)
        body = response.read()
        assert body, path
    print(f"[deploy] {path}: {response.status}, {len(body)} bytes")
PYEOF
    then ok=1; break; fi
    sleep 0.5
done
[ -n "$ok" ] || { echo "[deploy] gunicorn did not serve the collected files"; exit 1; }
echo "[deploy] OK"
