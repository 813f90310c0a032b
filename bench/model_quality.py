"""How well a model serves the flywheel: run it over simulator-like sessions and count.

Against any OpenAI-compatible server (llama.cpp's `llama-server`, Ollama, vLLM, OpenAI), each
session in `bench/data/model_sessions.jsonl` goes through the worker's own analysis path:
redacted as the worker redacts, the prompt fitted to `--context-tokens`, the flow's JSON
Schema sent in the best form the server accepts, one repair request when the answer is not a
valid flow, and the offline draft when it is still not usable. Printed:

- valid on first try, valid after the repair request, fell back to the offline draft (with
  the reasons: still invalid, refused, unavailable);
- median and p95 latency per session (both calls when there was a repair), seconds;
- tokens in and out (as the server counted them), in total and per session;
- the response format the server ended up accepting (json_schema, json_object or text),
  and how many prompts had to be trimmed to fit the context.

    .venv/bin/python bench/model_quality.py --url http://127.0.0.1:8080/v1 --model any
    .venv/bin/python bench/model_quality.py --url http://127.0.0.1:11434/v1 \\
        --model qwen2.5:0.5b --context-tokens 4096 --timeout 120
    .venv/bin/python bench/model_quality.py --fake      # the built-in offline-backed server

`--api-key` (or RESOLUTIONFLOW_OPENAI_API_KEY) for servers that need one; `--limit N` runs
the first N sessions. Sessions run one at a time, as a single small local model serves them.
`--regenerate-data` rewrites the sessions file from the simulator (fixed seed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from resolutionflow.ai.base import PermanentProviderError, TransientProviderError  # noqa: E402
from resolutionflow.ai.providers.openai import OpenAIProvider  # noqa: E402
from resolutionflow.flywheel import privacy  # noqa: E402
from resolutionflow.flywheel.analysis import (  # noqa: E402
    ENHANCEMENT,
    NEW_FLOW,
    AnalysisFailed,
    choose_path,
    generate_enhancement,
    generate_new_flow,
    has_divergence,
)
from resolutionflow.redaction import Redactor  # noqa: E402
from resolutionflow.sessions.ingest import step_values  # noqa: E402
from resolutionflow.sessions.schemas import SessionIn  # noqa: E402

DATA = ROOT / "bench" / "data" / "model_sessions.jsonl"
SIMULATOR_SEED = 16


def _flows() -> dict[str, dict[str, Any]]:
    from resolutionflow.demo.dataset import load_demo_flows

    return {f["key"]: f for f in load_demo_flows()}


def regenerate(path: Path, count: int = 30) -> None:
    """Model-backed sessions from the simulator: new problems and flows left with free text,
    plus a few long ones (many notes, long option lists) that need trimming on small models."""
    from resolutionflow.devtools.synthetic import synthetic_sessions

    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    flows = list(_flows().values())
    lines: list[dict[str, Any]] = []
    for line in synthetic_sessions(count * 3, flows, now=now, seed=SIMULATOR_SEED, prefix="MQ"):
        free = any(s.get("free_text_input") for s in line.get("steps") or [])
        if line.get("matched_flow") is None or free:
            lines.append(line)
        if len(lines) >= count - 4:
            break
    note = (
        "Called the user back; they had already rebooted twice and cleared the browser cache. "
        "The issue started after the weekend maintenance window according to the site contact."
    )
    for i in range(4):
        steps: list[dict[str, Any]] = []
        for n in range(12):
            steps.append({"step_type": "info", "content": {"text": f"{note} ({n})"}})
            steps.append(
                {
                    "step_type": "question",
                    "content": {
                        "text": f"Check {n}: does the symptom persist after step {n}?",
                        "help_text": note * 2,
                    },
                    "options_presented": [
                        {"value": f"v{k}", "label": f"Outcome {k}: {note[:90]}"} for k in range(5)
                    ],
                    "selected_option": "v1",
                }
            )
        steps.append(
            {
                "step_type": "question",
                "content": {"text": "What does the event log say?"},
                "free_text_input": "Event 5719: no logon server available",
                "was_free_text": True,
            }
        )
        lines.append(
            {
                "external_id": f"MQ-LONG-{i}",
                "status": "resolved",
                "problem_domain": "networking",
                "problem_summary": "Intermittent logon failures at the branch office, long ticket",
                "confidence_tier": "discovery",
                "confidence_score": 0.25,
                "resolution_summary": "Replaced the failing branch switch uplink",
                "steps": steps,
            }
        )
    path.write_text("".join(json.dumps(line, sort_keys=True) + "\n" for line in lines))
    print(f"wrote {len(lines)} sessions to {path}")


def snapshot_of(line: dict[str, Any]) -> dict[str, Any]:
    """The session as the worker's analysis sees it (before redaction)."""
    data = SessionIn.model_validate(line)
    steps = [step_values(step, order) for order, step in enumerate(data.steps)]
    for step in steps:
        step["responded_at"] = None
    return {
        "id": line["external_id"],
        "problem_summary": data.problem_summary,
        "problem_domain": data.problem_domain,
        "status": data.status,
        "confidence_tier": data.confidence_tier or "discovery",
        "confidence_score": data.confidence_score or 0.0,
        "match_score": data.match_score,
        "matched_flow_id": data.matched_flow,
        "resolution_summary": data.resolution_summary,
        "escalation_reason": data.escalation_reason,
        "steps": steps,
    }


async def run_one(
    provider: OpenAIProvider,
    line: dict[str, Any],
    flows: dict[str, dict[str, Any]],
    context_tokens: int,
) -> dict[str, Any]:
    snapshot = snapshot_of(line)
    flow = flows.get(line.get("matched_flow") or "")
    path = choose_path(
        has_match=flow is not None,
        match_score=line.get("match_score"),
        divergence=has_divergence(snapshot["steps"]),
    )
    path = ENHANCEMENT if path == ENHANCEMENT and flow is not None else NEW_FLOW
    # Redacted exactly as the worker redacts before anything leaves for a model.
    redactor = Redactor("standard")
    session = privacy.redact_snapshot(snapshot, redactor)
    started = time.perf_counter()
    out: dict[str, Any] = {
        "id": line["external_id"],
        "path": path,
        "tokens_in": 0,
        "tokens_out": 0,
        "trim_level": 0,
    }
    try:
        if path == ENHANCEMENT:
            assert flow is not None
            made = await generate_enhancement(
                provider,
                session,
                flow_name=redactor.text(flow["name"]),
                tree=privacy.redact_tree(flow["tree_structure"], redactor),
                context_tokens=context_tokens,
            )
        else:
            made = await generate_new_flow(provider, session, context_tokens=context_tokens)
        out["result"] = "after_repair" if made.repaired else "first_try"
        out["trim_level"] = made.trim_level
        usage = made.usage
    except AnalysisFailed as exc:
        out["result"], out["reason"], usage = "fallback", "still invalid", exc.usage
        out["error"] = str(exc.problems[0]) if exc.problems else str(exc)
    except TransientProviderError as exc:
        out["result"], out["reason"], usage = "fallback", "unavailable", []
        out["error"] = str(exc)
    except PermanentProviderError as exc:
        out["result"], out["reason"], usage = "fallback", "refused", []
        out["error"] = str(exc)
    out["seconds"] = time.perf_counter() - started
    out["tokens_in"] = sum(u.input_tokens for u in usage)
    out["tokens_out"] = sum(u.output_tokens for u in usage)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def summarise(rows: list[dict[str, Any]], provider: OpenAIProvider) -> dict[str, Any]:
    results = Counter(r["result"] for r in rows)
    seconds = [r["seconds"] for r in rows]
    n = len(rows)
    return {
        "sessions": n,
        "valid_first_try": results["first_try"],
        "valid_after_repair": results["after_repair"],
        "fell_back_to_offline": results["fallback"],
        "fallback_reasons": dict(Counter(r["reason"] for r in rows if r.get("reason"))),
        "latency_median_s": round(statistics.median(seconds), 3) if seconds else 0.0,
        "latency_p95_s": round(p95(seconds), 3) if seconds else 0.0,
        "tokens_in": sum(r["tokens_in"] for r in rows),
        "tokens_out": sum(r["tokens_out"] for r in rows),
        "tokens_in_per_session": round(sum(r["tokens_in"] for r in rows) / n, 1) if n else 0,
        "tokens_out_per_session": round(sum(r["tokens_out"] for r in rows) / n, 1) if n else 0,
        "trimmed_prompts": sum(1 for r in rows if r["trim_level"] > 0),
        "response_format": provider.memory.mode(str(provider.url)),
    }


async def bench(args: argparse.Namespace, lines: list[dict[str, Any]]) -> int:
    if args.limit:
        lines = lines[: args.limit]
    server = None
    url = args.url
    if args.fake:
        from resolutionflow.devtools.fake_openai import FakeOpenAI, ThreadedServer

        server = ThreadedServer(FakeOpenAI(delay=0.0)).start()
        url = server.base_url
    if not url:
        print("give --url (an OpenAI-compatible base URL) or --fake", file=sys.stderr)
        return 2
    provider = OpenAIProvider(
        base_url=url,
        model=args.model,
        api_key=args.api_key,
        timeout=args.timeout,
        max_retries=args.retries,
    )
    flows = _flows()
    rows: list[dict[str, Any]] = []
    try:
        for line in lines:
            row = await run_one(provider, line, flows, args.context_tokens)
            rows.append(row)
            if args.verbose:
                print(json.dumps(row), file=sys.stderr)
    finally:
        await provider.aclose()
        if server is not None:
            server.stop()
    summary = summarise(rows, provider)
    summary.update(url=url, model=args.model, context_tokens=args.context_tokens)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"{key:<{width}}  {value}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="", help="OpenAI-compatible base URL, e.g. .../v1")
    parser.add_argument("--model", default="local")
    parser.add_argument("--api-key", default=os.environ.get("RESOLUTIONFLOW_OPENAI_API_KEY", ""))
    parser.add_argument("--sessions", default=str(DATA))
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per call")
    parser.add_argument("--retries", type=int, default=1, help="retries inside one call")
    parser.add_argument("--context-tokens", type=int, default=4096)
    parser.add_argument("--fake", action="store_true", help="start the offline-backed server")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="one line per session")
    parser.add_argument("--regenerate-data", action="store_true")
    args = parser.parse_args()
    if args.regenerate_data:
        regenerate(Path(args.sessions))
        return 0
    lines = [json.loads(x) for x in Path(args.sessions).read_text().splitlines() if x.strip()]
    return asyncio.run(bench(args, lines))


if __name__ == "__main__":
    raise SystemExit(main())
