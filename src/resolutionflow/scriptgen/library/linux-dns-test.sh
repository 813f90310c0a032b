#!/usr/bin/env bash
# Tests name resolution on a Linux host: the configured resolvers, the system resolver
# answer, and the same query against a chosen DNS server for comparison. Read-only.
set -euo pipefail

NAME='example.com'
RECORD_TYPE='A'
COMPARE_SERVER='1.1.1.1'

usage() {
  cat <<'USAGE'
Usage: linux-dns-test.sh [-n NAME] [-t TYPE] [-s SERVER]
  -n NAME    the name to resolve (default example.com)
  -t TYPE    record type: A, AAAA, MX, TXT, CNAME ... (default A)
  -s SERVER  a DNS server to compare against (default 1.1.1.1)
USAGE
}

while getopts ':n:t:s:h' opt; do
  case "$opt" in
    n) NAME="$OPTARG" ;;
    t) RECORD_TYPE="$OPTARG" ;;
    s) COMPARE_SERVER="$OPTARG" ;;
    h) usage; exit 0 ;;
    :) echo "Option -$OPTARG needs a value." >&2; usage >&2; exit 2 ;;
    *) echo "Unknown option -$OPTARG." >&2; usage >&2; exit 2 ;;
  esac
done

echo "--- Configured resolvers ---"
if command -v resolvectl >/dev/null 2>&1; then
  resolvectl dns || true
fi
grep -E '^(nameserver|search)' /etc/resolv.conf || true

echo "--- System resolver (getent) ---"
getent ahosts "$NAME" || echo "getent: $NAME did not resolve"

if command -v dig >/dev/null 2>&1; then
  echo "--- dig $RECORD_TYPE $NAME (default resolver) ---"
  dig +short "$NAME" "$RECORD_TYPE" || true
  echo "--- dig $RECORD_TYPE $NAME @$COMPARE_SERVER ---"
  dig +short "@$COMPARE_SERVER" "$NAME" "$RECORD_TYPE" || true
  echo "--- Query time ---"
  dig "$NAME" "$RECORD_TYPE" | grep -E 'Query time|SERVER' || true
else
  echo "dig is not installed (dnsutils / bind-utils); using host if present."
  host -t "$RECORD_TYPE" "$NAME" || true
  host -t "$RECORD_TYPE" "$NAME" "$COMPARE_SERVER" || true
fi
