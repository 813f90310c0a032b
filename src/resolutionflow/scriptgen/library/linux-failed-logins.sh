#!/usr/bin/env bash
# Lists failed SSH sign-ins on a Linux host: the addresses and user names tried most,
# and the latest attempts. Read-only.
set -euo pipefail

SINCE='24 hours ago'
TOP_COUNT=10

usage() {
  cat <<'USAGE'
Usage: linux-failed-logins.sh [-S SINCE] [-n COUNT]
  -S SINCE  how far back to look (default "24 hours ago")
  -n COUNT  how many addresses and user names to list (default 10)
USAGE
}

while getopts ':S:n:h' opt; do
  case "$opt" in
    S) SINCE="$OPTARG" ;;
    n) TOP_COUNT="$OPTARG" ;;
    h) usage; exit 0 ;;
    :) echo "Option -$OPTARG needs a value." >&2; usage >&2; exit 2 ;;
    *) echo "Unknown option -$OPTARG." >&2; usage >&2; exit 2 ;;
  esac
done

failures=$(journalctl --since "$SINCE" --no-pager -t sshd -t sshd-session 2>/dev/null \
  | grep -E 'Failed password|Invalid user|authentication failure' || true)

if [[ -z "$failures" ]]; then
  echo "No failed SSH sign-ins since $SINCE."
  exit 0
fi

echo "$(wc -l <<<"$failures") failed attempt(s) since $SINCE."
echo "--- Source addresses ---"
grep -oE 'from [0-9a-fA-F.:]+' <<<"$failures" | awk '{print $2}' | sort | uniq -c | sort -rn | head -n "$TOP_COUNT"
echo "--- User names tried ---"
grep -oE '(for|user) (invalid user )?[^ ]+ from' <<<"$failures" | awk '{print $(NF-1)}' \
  | sort | uniq -c | sort -rn | head -n "$TOP_COUNT"
echo "--- Latest attempts ---"
tail -n 10 <<<"$failures"
