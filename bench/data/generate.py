"""Build the labelled development corpus from the hand-written wordings, with a fixed seed.

    .venv/bin/python bench/data/generate.py          # (re)write tickets.jsonl, short_titles.jsonl
    .venv/bin/python bench/data/generate.py --check  # exit 1 if the committed files differ

The wordings (`wordings/*.py`) are written by hand: per problem, the titles and bodies people
send, the resolutions engineers write, the questions they asked with the answers they got,
the actions they took and the notes they left. This script only picks among them and adds
the noise every desk's tickets carry: customers and their staff, greetings, signatures,
mail disclaimers, RE:/FW:/[EXTERNAL] prefixes, ticket numbers, call-log phrasing, case,
typos. See README.md beside it.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from wordings import email, endpoint, identity, infra, m365, network, people, printing, short  # noqa: E402

SEED = 20261130
TICKETS = 1500
SHORT_TITLES = 2000
END = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
SPAN_DAYS = 80
ZIPF = 0.55  # label skew of the short-titles slice (the largest label is about 8% of it)
PSA = "autotask"

PROBLEMS: list[dict[str, Any]] = [
    *email.PROBLEMS,
    *printing.PROBLEMS,
    *m365.PROBLEMS,
    *identity.PROBLEMS,
    *network.PROBLEMS,
    *endpoint.PROBLEMS,
    *infra.PROBLEMS,
]
SHORT_ONLY: list[dict[str, Any]] = short.PROBLEMS

_SLOT = re.compile(r"\{(\w+)\}")
_WORD = re.compile(r"[A-Za-z][A-Za-z']+")
_APOSTROPHES = {
    "can't": "cant",
    "won't": "wont",
    "doesn't": "doesnt",
    "don't": "dont",
    "I'm": "im",
    "it's": "its",
    "isn't": "isnt",
    "didn't": "didnt",
    "I've": "ive",
    "haven't": "havent",
}


def lines(block: str) -> list[str]:
    """The non-empty lines of a hand-written block, trimmed, with written `\\n` as newlines."""
    return [ln.strip().replace("\\n", "\n") for ln in block.strip().splitlines() if ln.strip()]


def split(line: str) -> list[str]:
    return [part.strip() for part in line.split("|")]


def fill(text: str, ctx: dict[str, str]) -> str:
    return _SLOT.sub(lambda m: ctx.get(m.group(1), m.group(0)), text)


def counts_for(weights: list[float], total: int) -> list[int]:
    """Integer counts proportional to `weights` summing to `total` (largest remainder)."""
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda k: (-(raw[k] - out[k]), k))
    for k in order[: total - sum(out)]:
        out[k] += 1
    return out


class Noise:
    """The ways real tickets are untidy, drawn from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.prefixes = lines(people.PREFIXES)
        self.refs = lines(people.TICKET_REFS)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def ticket_ref(self) -> str:
        r = self.rng
        return fill(
            r.choice(self.refs),
            {
                "n3": str(r.randint(100, 999)),
                "n5": str(r.randint(10000, 99999)),
                "n6": str(r.randint(100000, 999999)),
                "year": str(r.choice((2025, 2026))),
            },
        )

    def typo(self, text: str) -> str:
        """One misspelling: a known one for desk vocabulary, else a slip of one letter."""
        words = [m for m in _WORD.finditer(text) if len(m.group()) >= 3]
        if not words:
            return text
        m = self.rng.choice(words)
        word = m.group()
        known = people.MISSPELLINGS.get(word.lower())
        if known and self.chance(0.6):
            new = known.capitalize() if word[0].isupper() else known
        elif len(word) < 4:
            return text
        else:
            k = self.rng.randrange(1, len(word) - 1)
            kind = self.rng.choice(("swap", "drop", "double"))
            if kind == "swap":
                new = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
            elif kind == "drop":
                new = word[:k] + word[k + 1 :]
            else:
                new = word[:k] + word[k] + word[k:]
        return text[: m.start()] + new + text[m.end() :]

    def casual(self, text: str, *, typos: float, apostrophes: float, lower: float) -> str:
        if self.chance(apostrophes):
            for proper, lazy in _APOSTROPHES.items():
                text = text.replace(proper, lazy)
        if self.chance(typos):
            text = self.typo(text)
            if self.chance(0.3):
                text = self.typo(text)
        if self.chance(lower):
            text = text.lower()
        return text


class Desk:
    """The MSP: its customers with their staff, and its engineers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.customers = people.CUSTOMERS
        self.customer_weights = [c["weight"] for c in self.customers]

    def customer(self) -> dict[str, Any]:
        return self.rng.choices(self.customers, weights=self.customer_weights)[0]

    def context(self, customer: dict[str, Any]) -> dict[str, str]:
        """Who is writing, about whom, where, and which engineer is on the ticket."""
        r = self.rng
        first, last, role = r.choice(customer["staff"])
        other = r.choice(customer["staff"])
        named = (first, last) if r.random() < 0.5 else (other[0], other[1])
        eng_first, eng_last = r.choice(people.ENGINEERS)
        return {
            "first": first,
            "last": last,
            "full": f"{first} {last}",
            "role": role,
            "user": f"{named[0]} {named[1]}" if r.random() < 0.6 else named[0],
            "customer": customer["name"],
            "short": customer["short"],
            "site": r.choice(customer["sites"]),
            "email": f"{first}.{last}@{customer['domain']}".lower().replace("'", ""),
            "phone": f"01632 {r.randint(960000, 960999)}",
            "eng": eng_first,
            "engineer": f"{eng_first}.{eng_last}@{people.MSP_DOMAIN}".lower(),
        }


def when(rng: random.Random, span_days: int = SPAN_DAYS) -> datetime:
    """A moment in office hours on a weekday (mostly) within the corpus period."""
    while True:
        day = END - timedelta(days=rng.uniform(3, span_days))
        if day.weekday() < 5 or rng.random() < 0.08:
            break
    minutes = rng.randint(7 * 60 + 30, 18 * 60)
    return day.replace(hour=minutes // 60, minute=minutes % 60, second=0, microsecond=0)


class TicketIds:
    """Autotask-style ticket numbers, T<date>.<sequence of the day>."""

    def __init__(self) -> None:
        self.per_day: Counter[str] = Counter()

    def next(self, created: datetime) -> str:
        day = created.strftime("%Y%m%d")
        self.per_day[day] += 1
        return f"T{day}.{self.per_day[day]:04d}"


def title_noise(title: str, ctx: dict[str, str], noise: Noise, *, light: bool = False) -> str:
    """A title as it lands in the PSA: perhaps tagged with the customer or a person, a ticket
    reference, a mail prefix, odd case, typos."""
    scale = 0.6 if light else 1.0
    r = noise.rng
    # People slip on the words of the problem; tags and numbers are pasted or typed with care.
    title = noise.casual(title, typos=0.15 * scale, apostrophes=0.2, lower=0.0)
    if noise.chance(0.10 * scale):
        title = r.choice(
            (
                f"{ctx['customer']} - {title}",
                f"{ctx['short']}: {title}",
                f"{title} - {ctx['customer']}",
                f"[{ctx['short']}] {title}",
                f"{title} ({ctx['short']})",
            )
        )
    if noise.chance(0.09 * scale) and ctx["first"] not in title:
        title = r.choice(
            (
                f"{title} - {ctx['full']}",
                f"{ctx['full']} - {title}",
                f"{title} for {ctx['first']}",
                f"{title} ({ctx['first']})",
                f"{ctx['first']} {ctx['last']}: {title}",
            )
        )
    if noise.chance(0.10 * scale):
        ref = noise.ticket_ref()
        title = f"{title} {ref}" if r.random() < 0.6 else f"{ref} {title}"
    if noise.chance(0.05 * scale):
        title += r.choice(("!!", "?", " - urgent", " ASAP", " please", "!!!"))
    if noise.chance(0.03):
        return title.upper()
    return title.lower() if noise.chance(0.14) else title


def summary_for(
    problem: dict[str, Any], ctx: dict[str, str], customer: dict[str, Any], noise: Noise
) -> str:
    """The ticket's problem summary in one of the shapes desks store: a bare title, a title
    with the first line of the description, a whole e-mail, or a call logged by the desk."""
    r = noise.rng
    title = fill(r.choice(lines(problem["titles"])), ctx)
    body = fill(r.choice(lines(problem["bodies"])), ctx)
    roll = r.random()
    if roll < 0.42:
        return title_noise(title, ctx, noise)
    if roll < 0.57:
        body = noise.casual(body, typos=0.2, apostrophes=0.2, lower=0.06)
        glue = r.choice((" - ", "\n", ". ", ": "))
        return title_noise(title, ctx, noise, light=True).rstrip(".") + glue + body
    if roll < 0.82:
        subject = title
        if noise.chance(0.45):
            subject = f"{r.choice(noise.prefixes)} {subject}"
        if noise.chance(0.15):
            subject = f"{subject} {noise.ticket_ref()}"
        subject = noise.casual(subject, typos=0.1, apostrophes=0.2, lower=0.1)
        greeting = fill(r.choice(lines(people.GREETINGS)), ctx)
        signature = fill(r.choice(lines(people.SIGNATURES)), ctx)
        body = noise.casual(body, typos=0.2, apostrophes=0.2, lower=0.05)
        parts = [subject, greeting, body, signature]
        if customer["footer"] and noise.chance(0.5):
            parts.append(customer["footer"])
        return "\n\n".join(parts)
    log = r.choice(lines(people.CALL_LOGS))
    said = body[:1].lower() + body[1:] if r.random() < 0.5 else body
    return noise.casual(
        fill(log, {**ctx, "title": title, "body": said}), typos=0.1, apostrophes=0.3, lower=0.05
    )


def steps_for(problem: dict[str, Any], ctx: dict[str, str], noise: Noise) -> list[dict[str, Any]]:
    """An unguided session as an engineer records it: a note or two, the questions they asked
    with what they heard back, the actions they took (some of which did not help)."""
    r = noise.rng
    steps: list[dict[str, Any]] = []
    own_notes = lines(problem.get("notes", ""))
    if noise.chance(0.55):
        pool = own_notes if own_notes and r.random() < 0.5 else lines(people.GENERIC_NOTES)
        steps.append({"step_type": "info", "content": {"text": fill(r.choice(pool), ctx)}})
    if noise.chance(0.35):
        steps.append(
            {
                "step_type": "question",
                "content": {"text": "How many people are affected?"},
                "options_presented": [
                    {"value": "one", "label": "Just this user"},
                    {"value": "some", "label": "A few people"},
                    {"value": "all", "label": "Everyone at the site"},
                ],
                "selected_option": r.choice(("one", "one", "some", "all")),
            }
        )
    checks = [split(c) for c in lines(problem["checks"])]
    for question, *answers in r.sample(checks, k=min(len(checks), r.choice((1, 1, 2, 2, 3)))):
        answer = noise.casual(fill(r.choice(answers), ctx), typos=0.1, apostrophes=0.2, lower=0)
        steps.append(
            {
                "step_type": "question",
                "content": {"text": fill(question, ctx)},
                "free_text_input": answer,
            }
        )
    if noise.chance(0.2):
        act, ok, *bad = split(r.choice(lines(people.GENERIC_ACTIONS)))
        details = bad[0] if bad and bad[0] else ok
        steps.append(_action(act, success=False, details=details))
    actions = [split(a) for a in lines(problem["actions"])]
    chosen = r.sample(actions, k=min(len(actions), r.choice((1, 1, 2, 2, 3))))
    for position, (act, ok, *bad) in enumerate(chosen):
        last = position == len(chosen) - 1
        failed = not last and bool(bad and bad[0]) and r.random() < 0.5
        steps.append(
            _action(fill(act, ctx), success=not failed, details=fill(bad[0] if failed else ok, ctx))
        )
    if own_notes and noise.chance(0.15):
        steps.append({"step_type": "info", "content": {"text": fill(r.choice(own_notes), ctx)}})
    return steps


def _action(text: str, *, success: bool, details: str) -> dict[str, Any]:
    step: dict[str, Any] = {"step_type": "action", "content": {"text": text}}
    step["action_result"] = {"success": success, **({"details": details} if details else {})}
    return step


def resolution_for(problem: dict[str, Any], ctx: dict[str, str], noise: Noise) -> str:
    r = noise.rng
    if noise.chance(0.05):
        return r.choice(lines(people.TERSE_RESOLUTIONS))
    text = fill(r.choice(lines(problem["resolutions"])), ctx)
    if noise.chance(0.35):
        text = f"{text} {fill(r.choice(lines(people.CLOSERS)), ctx)}"
    return noise.casual(text, typos=0.08, apostrophes=0.1, lower=0.03)


def domain_for(problem: dict[str, Any], rng: random.Random) -> str | None:
    """Mostly the problem's domain; engineers sometimes file it elsewhere or not at all."""
    roll = rng.random()
    if roll < 0.05:
        return None
    if roll < 0.15 and problem.get("alt"):
        return str(rng.choice(problem["alt"]))
    return str(problem["domain"])


def tickets(total: int = TICKETS, seed: int = SEED) -> list[dict[str, Any]]:
    """The main corpus: resolved, unmatched sessions in the import format, each with a label."""
    rng = random.Random(seed)
    noise, desk, ids = Noise(rng), Desk(rng), TicketIds()
    per_label = counts_for([p["weight"] for p in PROBLEMS], total)
    order = [p for p, n in zip(PROBLEMS, per_label, strict=True) for _ in range(n)]
    rng.shuffle(order)
    drawn = []
    for problem in order:
        customer = desk.customer()
        drawn.append((problem, customer, desk.context(customer), when(rng)))
    drawn.sort(key=lambda item: item[3])
    out = []
    for number, (problem, customer, ctx, created) in enumerate(drawn, start=1):
        minutes = rng.choice((5, 10, 10, 15, 15, 20, 30, 30, 45, 60, 90, 120))
        waited = timedelta(hours=rng.choice((0, 0, 0, 1, 2, 4, 20, 26, 48)))
        resolved = min(created + timedelta(minutes=minutes) + waited, END)
        out.append(
            {
                "label": problem["label"],
                "external_id": f"DEV-{number:05d}",
                "problem_summary": summary_for(problem, ctx, customer, noise),
                "status": "resolved",
                "problem_domain": domain_for(problem, rng),
                "customer": customer["name"],
                "engineer": ctx["engineer"],
                "psa_provider": PSA,
                "psa_ticket_id": ids.next(created),
                "confidence_score": round(rng.uniform(0.25, 0.75), 2),
                "resolution_summary": resolution_for(problem, ctx, noise),
                "time_spent_minutes": minutes,
                "created_at": created.isoformat(),
                "resolved_at": resolved.isoformat(),
                "steps": steps_for(problem, ctx, noise),
            }
        )
    return out


def short_titles(total: int = SHORT_TITLES, seed: int = SEED + 1) -> list[dict[str, Any]]:
    """Titles only, as many desks log them, over every label with a Zipf-like skew."""
    rng = random.Random(seed)
    noise, desk, ids = Noise(rng), Desk(rng), TicketIds()
    everyone = sorted(
        [*PROBLEMS, *({**p, "weight": 9} for p in SHORT_ONLY)],
        key=lambda p: (-p["weight"], p["label"]),
    )
    per_label = counts_for([1 / (rank**ZIPF) for rank in range(1, len(everyone) + 1)], total)
    order = [p for p, n in zip(everyone, per_label, strict=True) for _ in range(n)]
    rng.shuffle(order)
    drawn = []
    for problem in order:
        customer = desk.customer()
        drawn.append((problem, desk.context(customer), when(rng)))
    drawn.sort(key=lambda item: item[2])
    out = []
    for number, (problem, ctx, created) in enumerate(drawn, start=1):
        title = fill(rng.choice(lines(problem["titles"])), ctx)
        out.append(
            {
                "label": problem["label"],
                "external_id": f"SHORT-{number:05d}",
                "problem_summary": title_noise(title, ctx, noise, light=True),
                "status": "resolved",
                "customer": ctx["customer"],
                "psa_provider": PSA,
                "psa_ticket_id": ids.next(created),
                "created_at": created.isoformat(),
                "resolved_at": (
                    created + timedelta(minutes=rng.choice((5, 15, 30, 60)))
                ).isoformat(),
            }
        )
    return out


def as_jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


FILES = {"tickets.jsonl": tickets, "short_titles.jsonl": short_titles}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files")
    parser.add_argument("--out", type=Path, default=HERE, help="directory to write to")
    args = parser.parse_args()
    status = 0
    for name, build in FILES.items():
        text = as_jsonl(build())
        path = args.out / name
        if args.check:
            same = path.exists() and path.read_text(encoding="utf-8") == text
            print(f"{name}: {'unchanged' if same else 'DIFFERS from a fresh build'}")
            status |= 0 if same else 1
        else:
            path.write_text(text, encoding="utf-8")
            print(f"{name}: {text.count(chr(10))} records")
    return status


if __name__ == "__main__":
    sys.exit(main())
