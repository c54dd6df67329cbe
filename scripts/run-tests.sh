#!/usr/bin/env bash
# Everything `make test` checks, against throwaway Redis and PostgreSQL servers that are stopped
# whatever the outcome (also on Ctrl-C).
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
services=$(mktemp -d "${TMPDIR:-/tmp}/callcenter-test.XXXXXX")
cleanup() { scripts/test-services.sh stop "$services"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }

step "ruff check";           "$VENV/bin/ruff" check . || exit 1
step "ruff format --check";  "$VENV/bin/ruff" format --check . || exit 1
step "mypy";                 "$VENV/bin/mypy" || exit 1
step "import contracts";     "$VENV/bin/lint-imports" || exit 1
step "asterisklint";         "$VENV/bin/asterisklint" dialplan-check asterisk_conf/extensions.conf || exit 1
step "throwaway Redis and PostgreSQL"
scripts/test-services.sh start "$services" || exit 1
# shellcheck disable=SC1091
. "$services/env"
step "pytest"
"$VENV/bin/python" -m pytest "$@"
rc=$?
if [ $rc -eq 5 ]; then echo "pytest collected no tests: that is a failure" >&2; rc=1; fi
exit $rc
