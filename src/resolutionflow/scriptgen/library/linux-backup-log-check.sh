#!/usr/bin/env bash
# Checks that a Linux backup job ran: the age and result of the last rsync log, and the
# latest restic snapshot when a restic repository is given. Read-only.
# restic reads its repository password from RESTIC_PASSWORD_FILE or RESTIC_PASSWORD in the
# environment; this script never holds it.
set -euo pipefail

LOG_FILE='/var/log/backup.log'
RESTIC_REPO=''
MAX_AGE_HOURS=26

usage() {
  cat <<'USAGE'
Usage: linux-backup-log-check.sh [-l LOG_FILE] [-r RESTIC_REPO] [-a HOURS]
  -l LOG_FILE     the rsync (or backup script) log to check (default /var/log/backup.log)
  -r RESTIC_REPO  a restic repository to check for a recent snapshot
  -a HOURS        the newest backup must be younger than this (default 26)
USAGE
}

while getopts ':l:r:a:h' opt; do
  case "$opt" in
    l) LOG_FILE="$OPTARG" ;;
    r) RESTIC_REPO="$OPTARG" ;;
    a) MAX_AGE_HOURS="$OPTARG" ;;
    h) usage; exit 0 ;;
    :) echo "Option -$OPTARG needs a value." >&2; usage >&2; exit 2 ;;
    *) echo "Unknown option -$OPTARG." >&2; usage >&2; exit 2 ;;
  esac
done

status=0
now=$(date +%s)
max_age=$(( MAX_AGE_HOURS * 3600 ))

if [[ -f "$LOG_FILE" ]]; then
  modified=$(stat -c %Y "$LOG_FILE")
  age_hours=$(( (now - modified) / 3600 ))
  echo "Log $LOG_FILE last written $age_hours hour(s) ago."
  if (( now - modified > max_age )); then
    echo "WARNING: the log is older than $MAX_AGE_HOURS hours; the job may not have run." >&2
    status=1
  fi
  if grep -Eqi 'rsync error|failed|No space left|Permission denied' "$LOG_FILE"; then
    echo "--- Errors in the log ---"
    grep -Ei 'rsync error|failed|No space left|Permission denied' "$LOG_FILE" | tail -n 20
    status=1
  fi
  echo "--- Last lines ---"
  tail -n 10 "$LOG_FILE"
else
  echo "Log $LOG_FILE not found."
fi

if [[ -n "$RESTIC_REPO" ]]; then
  if ! command -v restic >/dev/null 2>&1; then
    echo "restic is not installed." >&2
    exit 1
  fi
  echo "--- Latest restic snapshots in $RESTIC_REPO ---"
  restic -r "$RESTIC_REPO" snapshots --latest 3
  latest=$(restic -r "$RESTIC_REPO" snapshots --latest 1 --json | grep -o '"time":"[^"]*"' | tail -n 1 | cut -d'"' -f4)
  if [[ -n "$latest" ]]; then
    snap_age=$(( now - $(date -d "$latest" +%s) ))
    echo "Newest snapshot: $latest ($(( snap_age / 3600 )) hour(s) ago)"
    if (( snap_age > max_age )); then
      echo "WARNING: no snapshot in the last $MAX_AGE_HOURS hours." >&2
      status=1
    fi
  fi
fi

exit "$status"
