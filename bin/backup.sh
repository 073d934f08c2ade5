#!/usr/bin/env bash
# Back up the portal: the PostgreSQL database (pg_dump custom format) and the media files
# (evidence uploads, report PDFs) into one timestamped folder:
#
#   $BACKUP_DIR/<YYYYMMDD-HHMMSS>/database.dump   pg_restore reads it (bin/restore.sh)
#   $BACKUP_DIR/<YYYYMMDD-HHMMSS>/media.tar.gz    the files under $MEDIA_ROOT
#
# Environment: DATABASE_URL (postgres://…, required), MEDIA_ROOT (default var/media),
# BACKUP_DIR (default var/backups), PG_BIN (folder of pg_dump/psql; default: the PATH).
# With --prune it then keeps the KEEP_DAILY newest backups (default 14) and, older than those,
# the newest backup of each of the KEEP_WEEKLY latest ISO weeks (default 8); the compose
# backup service runs it that way every day. `make backup` runs it once, without pruning.
set -euo pipefail

prune=0
[ "${1:-}" = "--prune" ] && prune=1

: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to back up}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup: DATABASE_URL is not a PostgreSQL URL; backups cover PostgreSQL only." >&2; exit 2 ;;
esac
MEDIA_ROOT="${MEDIA_ROOT:-var/media}"
BACKUP_DIR="${BACKUP_DIR:-var/backups}"
KEEP_DAILY="${KEEP_DAILY:-14}"
KEEP_WEEKLY="${KEEP_WEEKLY:-8}"
bin() { if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN/$1"; else echo "$1"; fi; }

# A pg_dump older than the server refuses to dump it; say which versions meet.
client_major=$("$(bin pg_dump)" --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')
server_major=$("$(bin psql)" "$DATABASE_URL" -XtAc "SHOW server_version_num" | cut -c1-2)
if [ "$client_major" -lt "$server_major" ]; then
  echo "backup: pg_dump $client_major cannot dump PostgreSQL $server_major; set PG_BIN to a" \
       "folder with pg_dump $server_major or newer." >&2
  exit 2
fi

stamp=$(date -u +%Y%m%d-%H%M%S)
target="$BACKUP_DIR/$stamp"
partial="$BACKUP_DIR/.$stamp.partial"
mkdir -p "$partial"
# Written under a hidden name and renamed at the end: a half-written backup never looks whole.
trap 'rm -rf "$partial"' EXIT

"$(bin pg_dump)" --format=custom --no-owner --no-privileges --file="$partial/database.dump" \
  "$DATABASE_URL"
mkdir -p "$MEDIA_ROOT"
tar --numeric-owner -czf "$partial/media.tar.gz" -C "$MEDIA_ROOT" .
mv "$partial" "$target"
trap - EXIT
echo "Backup written: $target ($(du -sh "$target" | cut -f1))"

if [ "$prune" = 1 ]; then
  kept_weeks=""
  weeks=0
  position=0
  # Newest first; folder names sort by time.
  for folder in $(ls -1 "$BACKUP_DIR" | grep -E '^[0-9]{8}-[0-9]{6}$' | sort -r); do
    position=$((position + 1))
    if [ "$position" -le "$KEEP_DAILY" ]; then
      continue
    fi
    week=$(date -u -d "${folder:0:8}" +%G-W%V)
    if ! printf '%s\n' $kept_weeks | grep -qx "$week" && [ "$weeks" -lt "$KEEP_WEEKLY" ]; then
      kept_weeks="$kept_weeks $week"
      weeks=$((weeks + 1))
      continue
    fi
    rm -rf "${BACKUP_DIR:?}/$folder"
    echo "Backup removed (retention): $folder"
  done
fi
