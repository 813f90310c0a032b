#!/usr/bin/env bash
# Restarts a systemd service, then shows its status and the journal since the restart.
set -euo pipefail

SERVICE_NAME=''
LOG_LINES=30
ASSUME_YES=0

usage() {
  cat <<'USAGE'
Usage: linux-restart-service.sh -s SERVICE [-n LINES] [--yes]
  -s SERVICE  the systemd unit to restart, e.g. nginx or nginx.service
  -n LINES    journal lines to show afterwards (default 30)
  --yes       really restart; without it the script only prints what it would do
USAGE
}

args=()
for arg in "$@"; do
  case "$arg" in
    --yes) ASSUME_YES=1 ;;
    --help) usage; exit 0 ;;
    *) args+=("$arg") ;;
  esac
done
set -- ${args[@]+"${args[@]}"}

while getopts ':s:n:h' opt; do
  case "$opt" in
    s) SERVICE_NAME="$OPTARG" ;;
    n) LOG_LINES="$OPTARG" ;;
    h) usage; exit 0 ;;
    :) echo "Option -$OPTARG needs a value." >&2; usage >&2; exit 2 ;;
    *) echo "Unknown option -$OPTARG." >&2; usage >&2; exit 2 ;;
  esac
done

if [[ -z "$SERVICE_NAME" ]]; then
  echo "A service name is required (-s)." >&2
  usage >&2
  exit 2
fi

run() {
  if [[ "$ASSUME_YES" -eq 1 ]]; then
    "$@"
  else
    printf 'Would run:'
    printf ' %q' "$@"
    printf '\n'
  fi
}

echo "--- Before ---"
systemctl status "$SERVICE_NAME" --no-pager --lines=0 || true

started_at=$(date '+%Y-%m-%d %H:%M:%S')
run systemctl restart "$SERVICE_NAME"

echo "--- After ---"
systemctl is-active "$SERVICE_NAME" || echo "$SERVICE_NAME is not active." >&2
journalctl -u "$SERVICE_NAME" --since "$started_at" --no-pager -n "$LOG_LINES" || true
