#!/usr/bin/env bash
# Summarises errors in the systemd journal: failed units, the units logging the most
# errors, and the latest error lines. Read-only.
set -euo pipefail

SINCE='24 hours ago'
UNIT=''
LINES=40

usage() {
  cat <<'USAGE'
Usage: linux-journal-errors.sh [-S SINCE] [-u UNIT] [-n LINES]
  -S SINCE  how far back to look, in journalctl's words (default "24 hours ago")
  -u UNIT   only this systemd unit
  -n LINES  how many of the latest error lines to show (default 40)
USAGE
}

while getopts ':S:u:n:h' opt; do
  case "$opt" in
    S) SINCE="$OPTARG" ;;
    u) UNIT="$OPTARG" ;;
    n) LINES="$OPTARG" ;;
    h) usage; exit 0 ;;
    :) echo "Option -$OPTARG needs a value." >&2; usage >&2; exit 2 ;;
    *) echo "Unknown option -$OPTARG." >&2; usage >&2; exit 2 ;;
  esac
done

filter=(--since "$SINCE" -p err --no-pager)
if [[ -n "$UNIT" ]]; then
  filter+=(-u "$UNIT")
fi

echo "--- Failed units ---"
systemctl --failed --no-legend --no-pager || true

echo "--- Units with the most errors since $SINCE ---"
journalctl "${filter[@]}" -o json --output-fields=_SYSTEMD_UNIT,SYSLOG_IDENTIFIER 2>/dev/null \
  | grep -oE '"(_SYSTEMD_UNIT|SYSLOG_IDENTIFIER)":"[^"]*"' \
  | cut -d'"' -f4 | sort | uniq -c | sort -rn | head -n 10 || true

echo "--- Latest $LINES error lines ---"
journalctl "${filter[@]}" -n "$LINES" || true

echo "--- Kernel errors (hardware, disks, OOM) ---"
journalctl -k --since "$SINCE" -p err --no-pager -n 20 || true
