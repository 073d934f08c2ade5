#!/usr/bin/env bash
# Restore a backup made by bin/backup.sh: bin/restore.sh <backup folder> [--force]
#
# The target database (DATABASE_URL) and the media folder (MEDIA_ROOT, default var/media) must be
# empty: a restore over live data would mix two states. --force (FORCE=1 with make) drops the
# portal's tables first and replaces the media folder's contents.
# PG_BIN: folder of pg_restore/psql (default: the PATH).
set -euo pipefail

backup="${1:?usage: bin/restore.sh <backup folder> [--force]}"
force=0
[ "${2:-}" = "--force" ] && force=1
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to restore into}"
MEDIA_ROOT="${MEDIA_ROOT:-var/media}"
bin() { if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN/$1"; else echo "$1"; fi; }

for part in database.dump media.tar.gz; do
  if [ ! -f "$backup/$part" ]; then
    echo "restore: $backup/$part is missing; give a folder written by make backup." >&2
    exit 2
  fi
done

tables=$("$(bin psql)" "$DATABASE_URL" -XtAc \
  "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
media_files=0
if [ -d "$MEDIA_ROOT" ]; then
  media_files=$(find "$MEDIA_ROOT" -mindepth 1 | wc -l)
fi
if [ "$force" != 1 ] && { [ "$tables" -gt 0 ] || [ "$media_files" -gt 0 ]; }; then
  echo "restore: refused. The database has $tables tables and $MEDIA_ROOT holds $media_files" \
       "files or folders; restore only into an empty database and an empty media folder" \
       "(createdb a new one), or force it with FORCE=1 (make) / --force, which replaces them." >&2
  exit 3
fi

if [ "$tables" -gt 0 ]; then
  # --clean drops every object the dump holds before creating it again.
  "$(bin pg_restore)" --clean --if-exists --no-owner --no-privileges --single-transaction \
    --exit-on-error --dbname="$DATABASE_URL" "$backup/database.dump"
else
  "$(bin pg_restore)" --no-owner --no-privileges --single-transaction --exit-on-error \
    --dbname="$DATABASE_URL" "$backup/database.dump"
fi

mkdir -p "$MEDIA_ROOT"
if [ "$media_files" -gt 0 ]; then
  find "$MEDIA_ROOT" -mindepth 1 -delete
fi
tar --numeric-owner -xzf "$backup/media.tar.gz" -C "$MEDIA_ROOT"
echo "Restored $backup into the database and $MEDIA_ROOT."
