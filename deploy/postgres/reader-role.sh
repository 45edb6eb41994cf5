#!/usr/bin/env bash
# Creates the read-only role rmm_reader with RMM_READER_PASSWORD (postgres image init script).
set -euo pipefail
psql -v ON_ERROR_STOP=1 -v reader_password="$RMM_READER_PASSWORD" \
  --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -f /docker-entrypoint-initdb.d/reader-role.sql
