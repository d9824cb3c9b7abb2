#!/usr/bin/env bash
# A local Label Studio for annotation rounds, in its own venv (it pins numpy and Django).
#
#   scripts/labelstudio-serve.sh install        create .ls-venv with label-studio 1.23 and a
#                                               migrated empty database (idempotent)
#   scripts/labelstudio-serve.sh start [PORT]   run the server in the foreground on 127.0.0.1:PORT
#
# `start` reads LABEL_STUDIO_USERNAME, LABEL_STUDIO_PASSWORD and LABEL_STUDIO_USER_TOKEN
# (the first user and its API token) and LABEL_STUDIO_BASE_DATA_DIR (default .ls-data/);
# a data directory without a database starts from the migrated one (seconds, not minutes).
# `nianbao al serve`, the integration tests and CI call this script.
set -euo pipefail
cd "$(dirname "$0")/.."

LS_VENV=${LS_VENV:-.ls-venv}
LS_REQUIREMENT=${LS_REQUIREMENT:-"label-studio>=1.23,<1.24"}
PY=${PYTHON:-python3}
TEMPLATE=$LS_VENV/nianbao-template

installed() {
    [ -x "$LS_VENV/bin/label-studio" ] && [ -f "$TEMPLATE/label_studio.sqlite3" ] &&
        "$LS_VENV/bin/python" - "$LS_REQUIREMENT" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
from packaging.requirements import Requirement
sys.exit(0 if Requirement(sys.argv[1]).specifier.contains(version("label-studio")) else 1)
PY
}

case "${1:-}" in
install)
    if installed; then
        echo "label-studio already installed in $LS_VENV"
        exit 0
    fi
    [ -x "$LS_VENV/bin/python" ] || "$PY" -m venv "$LS_VENV"
    "$LS_VENV/bin/python" -m pip install -q --upgrade pip
    "$LS_VENV/bin/python" -m pip install -q "$LS_REQUIREMENT"
    # an empty database with every migration applied; `label-studio user` migrates first
    rm -rf "$TEMPLATE"
    LATEST_VERSION_CHECK=false LABEL_STUDIO_BASE_DATA_DIR="$TEMPLATE.tmp" \
        "$LS_VENV/bin/label-studio" user --username nobody@localhost >"$LS_VENV/nianbao-template.log" 2>&1
    mkdir -p "$TEMPLATE"
    mv "$TEMPLATE.tmp/label_studio.sqlite3" "$TEMPLATE/"
    rm -rf "$TEMPLATE.tmp"
    echo "label-studio $("$LS_VENV/bin/python" -c 'from importlib.metadata import version; print(version("label-studio"))') installed in $LS_VENV"
    ;;
start)
    installed || { echo "label-studio is not installed: run $0 install" >&2; exit 2; }
    PORT=${2:-8080}
    export LABEL_STUDIO_BASE_DATA_DIR=${LABEL_STUDIO_BASE_DATA_DIR:-$PWD/.ls-data}
    export LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true
    export LATEST_VERSION_CHECK=false
    export LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK=true
    : "${LABEL_STUDIO_USERNAME:?set LABEL_STUDIO_USERNAME (an e-mail) for the first user}"
    : "${LABEL_STUDIO_PASSWORD:?set LABEL_STUDIO_PASSWORD for the first user}"
    mkdir -p "$LABEL_STUDIO_BASE_DATA_DIR"
    [ -f "$LABEL_STUDIO_BASE_DATA_DIR/label_studio.sqlite3" ] ||
        cp "$TEMPLATE/label_studio.sqlite3" "$LABEL_STUDIO_BASE_DATA_DIR/"
    exec "$LS_VENV/bin/label-studio" start --no-browser \
        --internal-host 127.0.0.1 --host "http://127.0.0.1:$PORT" --port "$PORT" \
        --data-dir "$LABEL_STUDIO_BASE_DATA_DIR"
    ;;
*)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
