"""Latency of the knowledge-gap report and the analytics dashboard at 1,000,000 sessions.

Loads PostgreSQL with two accounts by COPY: one of 1,000,000 sessions / 10,000,000 steps and
one of 100,000 sessions / 1,000,000 steps, both spread over the last 365 days, with realistic
distributions (domains, tiers, statuses, PSA links, a few hundred distinct questions with
free-text answers on some, action results, unmatched summaries written from a few dozen
problems in varied wordings, proposals and flows). Runs the Alembic migrations first,
VACUUM ANALYZEs, then prints the median of 5 uncached runs of each report per account.

    python bench/gaps_scale.py [--sessions 1000000] [--small 100000] [--period 30]
                               [--reuse] [--keep]

PostgreSQL: RESOLUTIONFLOW_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test);
a database rf_bench_gaps is created and dropped (--keep leaves it, --reuse loads nothing if it
is already there).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg

from resolutionflow.config import Settings, normalise_database_url
from resolutionflow.migrations.runner import upgrade

# --- The synthetic service desk -----------------------------------------------------------

DOMAINS: list[tuple[str, float, float]] = [
    # (domain, share of sessions, escalation propensity)
    ("active_directory", 10, 0.12),
    ("networking", 12, 0.18),
    ("m365", 14, 0.10),
    ("hardware", 10, 0.15),
    ("endpoint", 12, 0.10),
    ("virtualization", 4, 0.30),
    ("security", 6, 0.36),
    ("backup", 5, 0.25),
    ("email", 10, 0.08),
    ("printing", 8, 0.12),
    ("cloud", 5, 0.20),
    ("other", 4, 0.15),
]
SUBJECTS = {
    "active_directory": ["domain controller", "user account", "group policy", "AD sync", "OU"],
    "networking": ["VPN tunnel", "switch port", "firewall rule", "DNS server", "wifi access point"],
    "m365": ["Teams client", "OneDrive sync", "SharePoint site", "licence", "Outlook profile"],
    "hardware": ["docking station", "monitor", "laptop battery", "keyboard", "disk"],
    "endpoint": ["antivirus agent", "Windows update", "RMM agent", "BitLocker", "start menu"],
    "virtualization": ["Hyper-V host", "VM snapshot", "vSphere cluster", "datastore", "vSwitch"],
    "security": ["MFA prompt", "phishing report", "conditional access", "EDR alert", "firewall"],
    "backup": ["backup job", "restore point", "NAS target", "cloud backup", "retention policy"],
    "email": ["mailbox", "mail flow rule", "shared mailbox", "SPF record", "distribution list"],
    "printing": ["print queue", "printer driver", "print server", "scan to email", "toner"],
    "cloud": ["Azure VM", "storage account", "app registration", "VPN gateway", "AWS instance"],
    "other": ["phone system", "door badge", "CRM plugin", "line of business app", "projector"],
}
QUESTION_FORMS = [
    "Is the {s} reachable from the affected machine?",
    "When did the {s} last work as expected?",
    "Does the {s} problem affect more than one person?",
    "What does the {s} show when it fails?",
    "Has anything changed on the {s} recently?",
]
FREE_ANSWERS = [
    "it shows an error code I have not seen before",
    "only since the last update",
    "works fine on another machine",
    "not sure, the user is remote",
    "it is intermittent",
    "fine after a reboot, then fails again",
]
ACTIONS = [
    "Restart the service",
    "Clear the local cache",
    "Re-run the sync",
    "Reboot the host",
    "Reapply the policy",
    "Reinstall the agent",
    "Reset the adapter",
]
# A few dozen recurring problems nobody has written a flow for yet, each in several wordings.
PROBLEMS: list[tuple[str | None, list[str]]] = [
    (
        "printing",
        [
            "Printer shows offline for the whole floor",
            "Can't print, printer says offline",
            "Print jobs stuck in the queue and nothing comes out",
        ],
    ),
    (
        "printing",
        [
            "Scan to email stopped sending",
            "Scanner no longer emails scans",
            "Scan to email fails with an SMTP error",
        ],
    ),
    (
        "email",
        [
            "Shared mailbox not showing in Outlook",
            "Shared mailbox disappeared from Outlook",
            "Can't see the shared mailbox in Outlook any more",
        ],
    ),
    (
        "email",
        [
            "Emails to external addresses bounce",
            "Outgoing mail to customers bounces back",
            "External recipients get a bounce for every email",
        ],
    ),
    (
        "m365",
        [
            "OneDrive not syncing files",
            "OneDrive sync stuck on processing changes",
            "Files not syncing to OneDrive",
        ],
    ),
    (
        "m365",
        [
            "Teams keeps crashing on launch",
            "Teams crashes when opening a meeting",
            "Microsoft Teams closes itself on start",
        ],
    ),
    (
        "m365",
        [
            "Outlook keeps asking for the password",
            "Outlook password prompt loops",
            "Outlook prompts for credentials again and again",
        ],
    ),
    (
        "security",
        [
            "MFA prompt never arrives on the phone",
            "Authenticator app shows no sign-in request",
            "Not receiving the MFA notification",
        ],
    ),
    (
        "security",
        [
            "Account locked out every morning",
            "User keeps getting locked out",
            "Repeated AD lockouts for the same account",
        ],
    ),
    (
        "networking",
        [
            "VPN disconnects every few minutes",
            "VPN drops the connection constantly",
            "Remote VPN connection keeps dropping",
        ],
    ),
    (
        "networking",
        [
            "Wifi very slow in the meeting rooms",
            "Wireless is sluggish in the boardroom",
            "Slow wi-fi in conference rooms",
        ],
    ),
    (
        "networking",
        [
            "Mapped drive missing after login",
            "Network drive not mapped at sign in",
            "The S: drive mapping disappeared",
        ],
    ),
    (
        "hardware",
        [
            "Docking station monitors not detected",
            "External screens not recognised on dock",
            "Second monitor stays black when docked",
        ],
    ),
    (
        "hardware",
        [
            "Laptop battery drains overnight in sleep",
            "Battery empty after sleep",
            "Laptop battery dies while the lid is closed",
        ],
    ),
    (
        "hardware",
        [
            "Laptop overheating and fan loud",
            "Fan running at full speed, laptop hot",
            "Notebook gets very hot and noisy",
        ],
    ),
    (
        "endpoint",
        [
            "Windows update stuck at 0 percent",
            "Updates fail to install with 0x80070005",
            "Windows Update keeps failing",
        ],
    ),
    (
        "endpoint",
        [
            "Blue screen after the latest driver update",
            "BSOD on startup since driver update",
            "PC blue screens several times a day",
        ],
    ),
    (
        "endpoint",
        [
            "Start menu does not open",
            "Clicking start does nothing",
            "Start menu and search unresponsive",
        ],
    ),
    (
        "active_directory",
        [
            "New starter cannot log in on day one",
            "New employee login fails",
            "Fresh account can't sign in to the PC",
        ],
    ),
    (
        "active_directory",
        [
            "Group policy not applying to the laptop",
            "GPO settings missing on device",
            "Policies not applied after gpupdate",
        ],
    ),
    (
        "virtualization",
        [
            "VM will not start after host patching",
            "Virtual machine fails to boot",
            "Hyper-V guest stuck starting",
        ],
    ),
    (
        "virtualization",
        [
            "Snapshot consolidation needed warning",
            "VM disks need consolidation",
            "Consolidation failed on the VM",
        ],
    ),
    (
        "backup",
        [
            "Nightly backup job failed",
            "Backup did not complete last night",
            "Backup job ends with errors every night",
        ],
    ),
    (
        "backup",
        [
            "Restore from backup is extremely slow",
            "File restore takes hours",
            "Restoring a folder from backup crawls",
        ],
    ),
    (
        "cloud",
        [
            "Azure VM not reachable over RDP",
            "Can't RDP to the Azure server",
            "Remote desktop to the cloud VM times out",
        ],
    ),
    (
        "cloud",
        [
            "Storage account access denied for the app",
            "App gets 403 from blob storage",
            "Blob storage requests rejected",
        ],
    ),
    (
        "other",
        [
            "Desk phone shows no service",
            "VoIP handset not registering",
            "Phone system down for reception",
        ],
    ),
    (
        "other",
        [
            "CRM plugin missing in Outlook",
            "CRM add-in disappeared",
            "Outlook CRM toolbar gone",
        ],
    ),
    (
        None,
        [
            "Camera not working in video calls",
            "Webcam not detected in meetings",
            "No video from the laptop camera",
        ],
    ),
    (
        None,
        [
            "Microphone not picked up in calls",
            "Mic not working in Teams calls",
            "Nobody can hear me in meetings",
        ],
    ),
]
DEPARTMENTS = [
    "finance",
    "reception",
    "sales",
    "warehouse",
    "legal",
    "marketing",
    "payroll",
    "design",
]
SITES = ["Leeds", "Bristol", "Glasgow", "Cardiff", "Norwich"]
NAMES = [
    "Sarah",
    "Tom",
    "Priya",
    "Ahmed",
    "Lena",
    "Marco",
    "Jin",
    "Olu",
    "Grace",
    "Pavel",
    "Rosa",
    "Idris",
]
NULL = "\\N"
OPTIONS_JSON = '[{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]'


@dataclass(frozen=True)
class AccountPlan:
    slug: str
    sessions: int
    seed: int
    days: int = 365


def _uid(seed: int, kind: int, n: int) -> str:
    return f"{(seed << 96) | (kind << 88) | n:032x}"


def _ts(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S+00")


def _pick(rnd: random.Random, cumulative: list[float], items: list[int]) -> int:
    r = rnd.random() * cumulative[-1]
    for k, edge in enumerate(cumulative):
        if r < edge:
            return items[k]
    return items[-1]


class Generator:
    """Rows for one account, as COPY text, in created_at order (as a live system writes them)."""

    def __init__(self, plan: AccountPlan, *, now: datetime) -> None:
        self.plan = plan
        self.rnd = random.Random(plan.seed)
        self.now = now.timestamp()
        self.account_id = _uid(plan.seed, 0, 0)
        self.team_ids = [_uid(plan.seed, 1, k) for k in range(3)]
        self.user_ids = [_uid(plan.seed, 2, k) for k in range(40)]
        self.flows: dict[int, list[str]] = {
            d: [_uid(plan.seed, 3, d * 100 + k) for k in range(20)] for d in range(len(DOMAINS))
        }
        self.questions = [
            [form.format(s=s) for s in SUBJECTS[d] for form in QUESTION_FORMS]
            for d, _, _ in DOMAINS
        ]
        qrnd = random.Random(plan.seed + 99)
        self.free_rate = [
            [qrnd.choice([0.03, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.35, 0.45, 0.65]) for _ in qs]
            for qs in self.questions
        ]
        self.cum_domains = list(_accumulate([w for _, w, _ in DOMAINS]))
        # What the steps pass needs of each session: domain index (-1: none) and status code.
        self.domain_of: list[int] = []
        self.status_of: list[int] = []
        self.created_of: list[str] = []
        self.proposals: list[str] = []

    def insert_people(self, conn: psycopg.Connection) -> None:
        p, acc = self.plan, self.account_id
        conn.execute(
            "INSERT INTO accounts (id, slug, name, settings, data_version, created_at) "
            "VALUES (%s, %s, %s, '{}', 0, now())",
            (acc, p.slug, p.slug.title()),
        )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO teams (id, account_id, slug, name, created_at) "
                "VALUES (%s, %s, %s, %s, now())",
                [(t, acc, f"team-{k}", f"Team {k}") for k, t in enumerate(self.team_ids)],
            )
            cur.executemany(
                "INSERT INTO users (id, account_id, team_id, email, name, role, is_active, "
                "created_at) VALUES (%s, %s, %s, %s, %s, 'engineer', true, now())",
                [
                    (u, acc, self.team_ids[k % 3], f"eng{k}@{p.slug}.example", f"Engineer {k}")
                    for k, u in enumerate(self.user_ids)
                ],
            )

    def tables(self) -> Iterator[tuple[str, list[str], Iterator[str]]]:
        yield "flows", FLOW_COLUMNS, self._flows()
        yield "sessions", SESSION_COLUMNS, self._sessions()
        yield "session_steps", STEP_COLUMNS, self._steps()
        yield "flow_proposals", PROPOSAL_COLUMNS, iter(self.proposals)

    def _flows(self) -> Iterator[str]:
        tree = (
            '{"id": "root", "type": "decision", "title": "Start", "question": "Which?", '
            '"options": [{"id": "a", "label": "A", "next_node_id": "s1"}, '
            '{"id": "b", "label": "B", "next_node_id": "s2"}], "children": ['
            '{"id": "s1", "type": "solution", "title": "One"}, '
            '{"id": "s2", "type": "solution", "title": "Two"}]}'
        )
        created = _ts(self.now - self.plan.days * 86400)
        for d, ids in self.flows.items():
            domain = DOMAINS[d][0]
            for k, fid in enumerate(ids):
                rate = round(0.5 + self.rnd.random() * 0.5, 3)
                yield (
                    f"{fid}\t{self.account_id}\t{domain}-{k}\t{SUBJECTS[domain][k % 5]} flow {k}\t"
                    f"\\N\ttroubleshooting\t{tree}\t[]\t{domain}\timported\t{rate}\t"
                    f"{self.rnd.randint(0, 5000)}\t1\t{created}\t{created}\n"
                )

    def _summary(self, rnd: random.Random) -> tuple[str, int | None]:
        domain, wordings = PROBLEMS[int(rnd.paretovariate(1.2) * 3) % len(PROBLEMS)]
        text = rnd.choice(wordings)
        r = rnd.random()
        if r < 0.2:
            text = f"{text} ({rnd.choice(DEPARTMENTS)})"
        elif r < 0.35:
            text = f"{rnd.choice(SITES)}: {text}"
        elif r < 0.5:
            text = f"{text} - ticket {rnd.randint(10000, 99999)}"
        elif r < 0.6:
            text = f"{text.lower()}, urgent please"
        elif r < 0.65:
            text = f"{text} for {rnd.choice(NAMES)}"
        index = next((k for k, (dom, _, _) in enumerate(DOMAINS) if dom == domain), -1)
        return text, index

    def _sessions(self) -> Iterator[str]:
        p, rnd, acc = self.plan, self.rnd, self.account_id
        start = self.now - p.days * 86400
        span = p.days * 86400
        domain_idx = list(range(len(DOMAINS)))
        for i in range(p.sessions):
            created = start + (i + rnd.random()) * span / p.sessions
            tier = rnd.choices(TIERS, TIER_WEIGHTS)[0]
            matched = tier in ("high", "medium") or (tier == "low" and rnd.random() < 0.7)
            if matched:
                d = _pick(rnd, self.cum_domains, domain_idx)
                summary = f"{SUBJECTS[DOMAINS[d][0]][rnd.randrange(5)]} problem reported"
                flow = rnd.choice(self.flows[d])
            else:
                summary, d = self._summary(rnd)
                flow = None
                if d == -1 and rnd.random() < 0.7:
                    d = _pick(rnd, self.cum_domains, domain_idx)
            esc = DOMAINS[d][2] if d >= 0 else 0.15
            esc *= {"high": 0.5, "medium": 0.8, "low": 1.2, "discovery": 1.5}[tier]
            recent = self.now - created < 2 * 86400
            r = rnd.random()
            if recent and r < 0.4:
                status = "active"
            else:
                r = rnd.random()
                status = (
                    ("escalated" if rnd.random() < 0.9 else "requesting_escalation")
                    if r < esc
                    else "abandoned"
                    if r < esc + 0.04
                    else "active"
                    if r < esc + 0.05
                    else "resolved"
                )
            minutes = rnd.lognormvariate(3.5, 0.8)
            closed = status != "active"
            resolved_at = _ts(created + minutes * 60) if closed else "\\N"
            psa = rnd.random() < 0.85
            psa_cols = (
                f"{rnd.choice(('connectwise', 'autotask', 'halo'))}\tT-{p.seed}-{i}\t"
                + (str(max(1, int(minutes * 0.8))) if closed else "\\N")
                if psa
                else "\\N\t\\N\t\\N"
            )
            analysis = (
                ("pending" if recent else "completed")
                if status == "resolved"
                else "\\N"
                if status == "active"
                else "skipped"
            )
            sid = _uid(p.seed, 4, i)
            created_s = _ts(created)
            domain = DOMAINS[d][0] if d >= 0 else "\\N"
            score = round(rnd.random(), 3)
            self.domain_of.append(d)
            self.status_of.append(STATUS_CODES[status])
            self.created_of.append(created_s)
            yield (
                f"{sid}\t{acc}\t{self.team_ids[i % 3]}\t{self.user_ids[i % 40]}\t{summary}\t"
                f"{domain}\t{status}\t{tier}\t{score}\t{flow or NULL}\t"
                f"{round(rnd.random(), 3) if flow else NULL}\t"
                f"{'Fixed it' if status == 'resolved' else NULL}\t"
                f"{'Needs the vendor' if status == 'escalated' else NULL}\t{psa_cols}\t"
                f"{created_s}\t{resolved_at}\t{analysis}\t0\n"
            )
            if status == "resolved" and not recent:
                self._maybe_proposal(rnd, i, sid, summary, domain, flow, created + minutes * 60)

    def _maybe_proposal(
        self,
        rnd: random.Random,
        i: int,
        sid: str,
        summary: str,
        domain: str,
        flow: str | None,
        at: float,
    ) -> None:
        r = rnd.random()
        if flow and r < 0.4:
            kind, status, target = "auto_reinforced", "auto_reinforced", flow
        elif flow and r < 0.43:
            kind, status, target = rnd.choice(("enhancement", "branch_addition")), "", flow
        elif not flow and r < 0.08:
            kind, status, target = "new_flow", "", None
        else:
            return
        reviewed = "\\N"
        published = "\\N"
        if not status:
            status = rnd.choices(REVIEW_STATUSES, REVIEW_WEIGHTS)[0]
            if self.now - at < 7 * 86400:
                status = "pending"
            if status != "pending":
                reviewed = _ts(at + rnd.lognormvariate(10, 1))
            if status in ("approved", "modified"):
                published = target or rnd.choice(self.flows[0])
        self.proposals.append(
            f"{_uid(self.plan.seed, 5, i)}\t{self.account_id}\t{sid}\t{kind}\t{target or NULL}\t"
            f'{summary[:200]}\t{{}}\t[]\t{round(rnd.random(), 3)}\t1\t["{sid}"]\t[]\t'
            f"{domain}\t{status}\t{_ts(at)}\t{reviewed}\t{published}\n"
        )

    def _steps(self) -> Iterator[str]:
        p, rnd, acc = self.plan, self.rnd, self.account_id
        counter = 0
        resolved_code = STATUS_CODES["resolved"]
        delta = 0
        for i in range(p.sessions):
            # Pairs of sessions share 20 steps so the total is exactly 10 per session.
            if i % 2 == 0:
                delta = rnd.randint(-4, 4) if i + 1 < p.sessions else 0
                n = 10 + delta
            else:
                n = 10 - delta
            sid = _uid(p.seed, 4, i)
            d = self.domain_of[i]
            qs = self.questions[d if d >= 0 else len(DOMAINS) - 1]
            rates = self.free_rate[d if d >= 0 else len(DOMAINS) - 1]
            when = self.created_of[i]
            resolved = self.status_of[i] == resolved_code
            for k in range(n):
                counter += 1
                head = f"{_uid(p.seed, 6, counter)}\t{sid}\t{acc}\t{k}\t"
                r = rnd.random()
                if k == n - 1 and resolved:
                    yield head + (
                        'resolution\t{"text": "Fixed", "type": "resolution"}\t\\N\t\\N\t'
                        f"\\N\t\\N\tf\tf\t\\N\t{when}\n"
                    )
                elif r < 0.5:
                    q = rnd.randrange(len(qs))
                    answered = rnd.random() < 0.95
                    free = answered and rnd.random() < rates[q]
                    if free:
                        answer = (
                            FREE_ANSWERS[min(int(rnd.expovariate(0.7)), len(FREE_ANSWERS) - 1)]
                            if rnd.random() < 0.75
                            else f"error 0x{rnd.getrandbits(24):06x}"
                        )
                        tail = f"\\N\t{answer}\tt\tf\t\\N\t{when}\n"
                    elif answered:
                        tail = f"{rnd.choice(('yes', 'no'))}\t\\N\tf\tf\t\\N\t{when}\n"
                    else:
                        tail = "\\N\t\\N\tf\tf\t\\N\t\\N\n"
                    yield (
                        head + f'question\t{{"text": "{qs[q]}", "type": "question"}}\t'
                        f"{qs[q]}\t{OPTIONS_JSON}\t" + tail
                    )
                elif r < 0.85:
                    ok = "true" if rnd.random() < 0.65 else "false"
                    act = ACTIONS[rnd.randrange(len(ACTIONS))]
                    result = f'{{"success": {ok}, "details": "done"}}'
                    yield (
                        head + f'action\t{{"text": "{act}", "type": "action"}}\t\\N\t\\N\t\\N\t'
                        f"\\N\tf\tf\t{result}\t{when}\n"
                    )
                else:
                    yield head + (
                        'info\t{"text": "Checked the event log", "type": "info"}\t\\N\t'
                        f"\\N\t\\N\t\\N\tf\tf\t\\N\t{when}\n"
                    )


def _accumulate(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


TIERS = ["high", "medium", "low", "discovery"]
TIER_WEIGHTS = [30, 25, 15, 30]
REVIEW_STATUSES = ["approved", "modified", "rejected", "dismissed", "pending"]
REVIEW_WEIGHTS = [35, 15, 20, 10, 20]
STATUS_CODES = {
    "active": 0,
    "resolved": 1,
    "escalated": 2,
    "requesting_escalation": 3,
    "abandoned": 4,
}
FLOW_COLUMNS = [
    "id",
    "account_id",
    "key",
    "name",
    "description",
    "tree_type",
    "tree_structure",
    "match_keywords",
    "problem_domain",
    "origin",
    "success_rate",
    "usage_count",
    "version",
    "created_at",
    "updated_at",
]
SESSION_COLUMNS = [
    "id",
    "account_id",
    "team_id",
    "engineer_id",
    "problem_summary",
    "problem_domain",
    "status",
    "confidence_tier",
    "confidence_score",
    "matched_flow_id",
    "match_score",
    "resolution_summary",
    "escalation_reason",
    "psa_provider",
    "psa_ticket_id",
    "time_spent_minutes",
    "created_at",
    "resolved_at",
    "analysis_status",
    "analysis_attempts",
]
STEP_COLUMNS = [
    "id",
    "session_id",
    "account_id",
    "step_order",
    "step_type",
    "content",
    "context_message",
    "options_presented",
    "selected_option",
    "free_text_input",
    "was_free_text",
    "was_skipped",
    "action_result",
    "responded_at",
]
PROPOSAL_COLUMNS = [
    "id",
    "account_id",
    "source_session_id",
    "proposal_type",
    "target_flow_id",
    "title",
    "proposed_flow_data",
    "match_keywords",
    "confidence_score",
    "supporting_session_count",
    "supporting_session_ids",
    "supporting_summaries",
    "problem_domain",
    "status",
    "created_at",
    "reviewed_at",
    "published_flow_id",
]


# --- Loading and measuring ------------------------------------------------------------------

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
DB_NAME = "rf_bench_gaps"
RUNS = 5


def _plain_url(url: str, database: str) -> str:
    base = url.replace("postgresql+asyncpg://", "postgresql://").rsplit("/", 1)[0]
    return f"{base}/{database}"


def _admin(url: str, sql: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def _exists(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone()
    return row is not None


def _load(url: str, plans: list[AccountPlan], now: datetime) -> None:
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        # Bulk load: the generator writes consistent references, so foreign-key triggers are
        # skipped for the load (the rows are checked by construction, not row by row).
        conn.execute("SET session_replication_role = replica")
        for plan in plans:
            gen = Generator(plan, now=now)
            gen.insert_people(conn)
            for table, columns, rows in gen.tables():
                t = time.perf_counter()
                count = 0
                with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
                    buffer: list[str] = []
                    for line in rows:
                        buffer.append(line)
                        count += 1
                        if len(buffer) >= 5000:
                            cp.write("".join(buffer))
                            buffer.clear()
                    if buffer:
                        cp.write("".join(buffer))
                print(
                    f"  {plan.slug}: {count:>10,} {table} in {time.perf_counter() - t:6.1f}s",
                    flush=True,
                )
            conn.commit()
        conn.execute("SET session_replication_role = DEFAULT")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        t = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE in {time.perf_counter() - t:.1f}s", flush=True)
    print(f"loaded in {time.perf_counter() - started:.0f}s", flush=True)


async def _measure(settings: Settings, slug: str, period: int) -> dict[str, float]:
    from sqlalchemy import select

    from resolutionflow.analytics.service import dashboard
    from resolutionflow.db import get_sessionmaker
    from resolutionflow.gaps.service import knowledge_gaps
    from resolutionflow.models import Account

    maker = get_sessionmaker(settings)
    async with maker() as db:
        account = (await db.execute(select(Account).where(Account.slug == slug))).scalar_one()
    out: dict[str, float] = {}
    for name in ("gaps", "dashboard"):
        times: list[float] = []
        for _ in range(RUNS + 1):  # the first run warms connections and imports
            async with maker() as db:
                t = time.perf_counter()
                if name == "gaps":
                    report = await knowledge_gaps(
                        db, account=account, period_days=period, use_cache=False
                    )
                    detail = f"{len(report.gaps)} gaps"
                else:
                    board = await dashboard(
                        db, account=account, period_days=period, use_cache=False
                    )
                    detail = f"{board.sessions} sessions in period"
                times.append(time.perf_counter() - t)
        out[name] = statistics.median(times[1:])
        out[f"{name}_detail"] = detail  # type: ignore[assignment]
    return out


async def _report(settings: Settings, plans: list[AccountPlan], period: int) -> None:
    from resolutionflow.db import dispose_engines

    try:
        for plan in plans:
            figures = await _measure(settings, plan.slug, period)
            label = f"{plan.sessions:,} sessions / {plan.sessions * 10:,} steps"
            for name in ("gaps", "dashboard"):
                print(
                    f"{name:<9} {label:<36} period {period}d: median of {RUNS} uncached runs "
                    f"{figures[name] * 1000:7.1f} ms ({figures[f'{name}_detail']})",
                    flush=True,
                )
    finally:
        await dispose_engines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--period", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep an existing loaded database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()

    admin = os.environ.get("RESOLUTIONFLOW_BENCH_POSTGRES_URL", PG_DEFAULT)
    admin_plain = _plain_url(normalise_database_url(admin), admin.rsplit("/", 1)[1])
    url = _plain_url(normalise_database_url(admin), DB_NAME)
    settings = Settings(database_url=url, rate_limit_enabled=False)
    plans = [
        AccountPlan(slug="bench-large", sessions=args.sessions, seed=1),
        AccountPlan(slug="bench-small", sessions=args.small, seed=2),
    ]
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    fresh = not (args.reuse and _exists(admin_plain))
    try:
        if fresh:
            _admin(admin_plain, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            _admin(admin_plain, f'CREATE DATABASE "{DB_NAME}"')
            upgrade(settings)
            print(f"loading {DB_NAME} (random seed fixed, now={now.isoformat()})", flush=True)
            _load(url, plans, now)
        else:
            upgrade(settings)
        asyncio.run(_report(settings, plans, args.period))
    finally:
        if not args.keep:
            _admin(admin_plain, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    random.seed(0)
    main()
