#!/usr/bin/env bash
# Install everything the test suite needs on a fresh machine, then run it.
# Used by the README's second set-up command and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# every optional part is tested: the transformer backend (torch pinned to the local CPU
# wheel) and its offline base model, the Ray engine, the Label Studio client and OCR
.venv/bin/python -m pip install -q -e ".[test,transformer,base-model,ray,al,ocr]"
# the Label Studio server lives in its own venv (it pins numpy and Django)
bash scripts/labelstudio-serve.sh install

# system packages some tests drive (headless Chromium for the HTML report)
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
        || echo "warning: could not install chromium; its tests will be skipped" >&2
fi

exec .venv/bin/python -m pytest -q "$@"
