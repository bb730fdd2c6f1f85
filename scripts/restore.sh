#!/usr/bin/env bash
# Restore a dump made by scripts/backup.sh into DATABASE_URL (an empty or a replaced database),
# then bring the schema up to this version of the code (migrate also loads missing catalogues).
# Usage: DATABASE_URL=postgres://… scripts/restore.sh backups/mobilny_asystent-….dump
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to restore into}"
file="${1:?give the dump file to restore}"
pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --dbname="$DATABASE_URL" "$file"
"${PYTHON:-.venv/bin/python}" manage.py migrate --noinput
