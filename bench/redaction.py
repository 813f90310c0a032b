"""How long redaction adds to each session sent to a model: the demo's sessions, redacted as
the worker does it (one redactor per session, every text field), at each level.

    python bench/redaction.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

from resolutionflow.demo.dataset import demo_sessions
from resolutionflow.flywheel.privacy import redact_snapshot
from resolutionflow.redaction import Redactor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    # The fields the worker's snapshot carries (the import lines have more).
    keys = (
        "problem_summary",
        "problem_domain",
        "status",
        "confidence_tier",
        "confidence_score",
        "resolution_summary",
        "escalation_reason",
        "steps",
    )
    sessions = [{k: s[k] for k in keys if k in s} for s in demo_sessions(datetime.now(UTC))]
    chars = sum(len(str(s)) for s in sessions)
    print(f"{len(sessions)} demo sessions, {chars / len(sessions):.0f} characters each on average")
    for level in ("standard", "strict"):
        redact_snapshot(sessions[0], Redactor(level))  # warm up: imports, compiled patterns
        per_session: list[float] = []
        for _ in range(args.repeat):
            for session in sessions:
                started = time.perf_counter()
                redact_snapshot(session, Redactor(level))
                per_session.append((time.perf_counter() - started) * 1000)
        per_session.sort()
        p95 = per_session[int(len(per_session) * 0.95)]
        print(
            f"{level:8s}  median {statistics.median(per_session):.2f} ms  p95 {p95:.2f} ms  "
            f"max {per_session[-1]:.2f} ms per session"
        )


if __name__ == "__main__":
    main()
