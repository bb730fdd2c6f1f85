#!/usr/bin/env bash
# A backup of the whole service: the PostgreSQL database in pg_dump's custom format.
# Nothing else lives on a web node's disk (sessions, cache, rate limits, lockouts and the beat
# schedule are in PostgreSQL or Redis; there are no uploads), so the dump is the backup.
# Usage: DATABASE_URL=postgres://… scripts/backup.sh [directory]   (prints the file it wrote)
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to back up}"
dir="${1:-backups}"
mkdir -p "$dir"
file="$dir/mobilny_asystent-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$file.part"
mv "$file.part" "$file"
echo "$file"
