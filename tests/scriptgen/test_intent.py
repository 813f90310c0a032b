"""Intent matching: realistic requests find the right script; unrelated ones find none."""

from __future__ import annotations

import pytest

from resolutionflow.scriptgen.intent import match_scripts

CASES = [
    ("printer queue stuck", "print-spooler-reset"),
    ("print jobs wont clear, need to restart the spooler", "print-spooler-reset"),
    ("documents stuck in the printng queue on reception pc", "print-spooler-reset"),
    ("flush dns", "dns-flush-dhcp-renew"),
    ("laptop got a 169.254 address, renew dhcp", "dns-flush-dhcp-renew"),
    ("site still resolving to the old IP after we moved it", "dns-flush-dhcp-renew"),
    ("user locked out of AD again", "ad-locked-accounts"),
    ("unlock jsmith's account and find what keeps locking it", "ad-locked-accounts"),
    ("acount keeps getting locked out every morning", "ad-locked-accounts"),
    ("check if the users password expired in AD", "ad-account-state"),
    ("extend password expiry for a user", "ad-account-state"),
    ("is the AD account disabled or expired?", "ad-account-state"),
    ("windows update stuck at 0%", "windows-update-reset"),
    ("updates keep failing with 0x80070002", "windows-update-reset"),
    ("outlook keeps asking for password - check licence", "m365-mailbox-licence"),
    ("check o365 license and mailbox size for the user", "m365-mailbox-licence"),
    ("mailbox full, what quota does she have in exchange online", "m365-mailbox-licence"),
    ("vpn wont connect from home", "vpn-reachability"),
    ("test if the vpn gateway is reachable on 443", "vpn-reachability"),
    ("did last night's veeam backup job fail?", "backup-job-status"),
    ("check windows server backup status", "backup-job-status"),
    ("C drive full on the rds server", "disk-cleanup-temp"),
    ("low disk space, clear temp files", "disk-cleanup-temp"),
    ("restart the windows service that hung", "restart-windows-service"),
    ("export event viewer errors from the last day for the ticket", "collect-event-logs"),
    ("wifi keeps dropping on her laptop", "wifi-diagnostics"),
    ("forget the wireless profile and rejoin", "wifi-diagnostics"),
    ("netsh winsock reset, internet totally broken", "network-stack-reset"),
    ("which certificates expire soon on this server", "certificate-expiry"),
    ("is bitlocker on? check the drive encryption", "bitlocker-status"),
    ("run a full virus scan", "defender-scan"),
    ("hyper-v vm is off, check the vms on the host", "hyperv-vm-state"),
    ("mapped drive missing, red x on S:", "mapped-drives"),
    ("rebuild the outlook ost, not syncing", "outlook-profile-reset"),
    ("teams stuck on loading screen, clear cache", "teams-cache-clear"),
    ("clock out of sync, kerberos time skew", "time-sync"),
    ("gpupdate /force and check gpresult", "group-policy-update"),
    ("list installed software and versions", "installed-software"),
    ("does it have a pending reboot, when did it last restart", "uptime-pending-reboot"),
    ("who is in the local administrators group", "local-admin-audit"),
    ("hard drive failing? check SMART", "smart-disk-health"),
    ("linux server disk full, no space left on device", "linux-disk-usage"),
    ("restart nginx on the ubuntu box", "linux-restart-service"),
    ("openssl check when the lets encrypt cert expires", "linux-cert-expiry"),
    ("dns not resolving on the linux server, dig test", "linux-dns-test"),
    ("check the rsync backup log on the nas", "linux-backup-log-check"),
    ("restic snapshots - did the backup run", "linux-backup-log-check"),
    ("journalctl errors since yesterday", "linux-journal-errors"),
    ("ping and traceroute to the db host from linux", "linux-reachability"),
    ("server out of memory, what is using all the ram", "linux-memory-top"),
    ("ssh brute force attempts on the server", "linux-failed-logins"),
]
UNRELATED = [
    "write me a poem",
    "order pizza",
    "what's the weather",
    "tell me a joke about cats",
    "book a flight to Lisbon next tuesday",
    "translate this sentence into french",
    "who won the football match",
    "recipe for banana bread",
]


@pytest.mark.parametrize(("request_text", "expected"), CASES)
def test_request_maps_to_script(request_text, expected) -> None:
    result = match_scripts(request_text)
    assert result.best is not None, result.reason
    assert result.best.id == expected
    assert result.matched and result.score > 0


@pytest.mark.parametrize(("request_text", "expected"), CASES)
def test_request_maps_with_its_language(request_text, expected) -> None:
    language = "bash" if expected.startswith("linux-") else "powershell"
    result = match_scripts(request_text, language=language)
    assert result.best is not None and result.best.id == expected


def test_cases_are_many_and_distinct() -> None:
    assert len({c[0].lower() for c in CASES}) >= 40
    assert len({c[1] for c in CASES}) >= 30


@pytest.mark.parametrize("request_text", UNRELATED)
def test_unrelated_request_gives_no_match_and_three_suggestions(request_text) -> None:
    result = match_scripts(request_text)
    assert result.best is None
    assert not result.matched
    assert len(result.suggestions) == 3
    assert len({s.entry.id for s in result.suggestions}) == 3


def test_language_filter_only_offers_that_language() -> None:
    result = match_scripts("check certificate expiry", language="bash")
    assert result.best is not None and result.best.language == "bash"
    assert all(s.entry.language == "bash" for s in result.suggestions)


@pytest.mark.parametrize(
    ("request_text", "language", "other"),
    [
        ("unlock the AD account for jsmith", "bash", "ad-locked-accounts"),
        ("clear the teams cache", "bash", "teams-cache-clear"),
        ("restart nginx on the web box", "powershell", "linux-restart-service"),
    ],
)
def test_language_without_a_fit_says_so_and_suggests(request_text, language, other) -> None:
    result = match_scripts(request_text, language=language)
    assert result.best is None
    assert other in result.reason
    assert len(result.suggestions) == 3
    assert all(s.entry.language == language for s in result.suggestions)


def test_generic_request_uses_session_context() -> None:
    context = ["Is the printer showing online?", "Restart the print spooler"]
    result = match_scripts("can you give me a script for this step", context_texts=context)
    assert result.best is not None and result.best.id == "print-spooler-reset"
    assert match_scripts("can you give me a script for this step").best is None


def test_context_does_not_rescue_an_unrelated_request() -> None:
    result = match_scripts("order pizza", context_texts=["Restart the print spooler"])
    assert result.best is None


def test_context_breaks_a_tie_towards_the_session() -> None:
    context = ["Linux web server returns 502", "Checked nginx status with systemctl"]
    result = match_scripts("restart the service", context_texts=context)
    assert result.best is not None and result.best.id == "linux-restart-service"


def test_matching_is_deterministic() -> None:
    first = match_scripts("wifi keeps dropping", domain="networking")
    second = match_scripts("wifi keeps dropping", domain="networking")
    assert first == second


PRINTING_SESSION = [
    "Printer on floor 2 shows offline",
    "Is the printer showing online?",
    "What does the panel say?",
    "driver unavailable",
    "Restart the print spooler",
]


@pytest.mark.parametrize(
    "request_text",
    [
        "delete all user profiles older than 30 days",
        "remove old user profiles",
        "clean up stale profiles on the terminal server",
    ],
)
def test_the_request_decides_not_the_session(request_text: str) -> None:
    result = match_scripts(
        request_text, language="powershell", domain="printing", context_texts=PRINTING_SESSION
    )
    assert result.best is not None and result.best.id == "user-profile-cleanup"


@pytest.mark.parametrize("request_text", ["rename the computer", "order pizza for the team"])
def test_a_request_nothing_fits_is_not_given_the_sessions_script(request_text: str) -> None:
    result = match_scripts(
        request_text, language="powershell", domain="printing", context_texts=PRINTING_SESSION
    )
    assert result.best is None
    # Without the session it would not match either: the session cannot make it fit.
    assert match_scripts(request_text, language="powershell").best is None


def test_the_session_only_reorders_near_ties() -> None:
    """The session's text moves a script up only among those the request fits about equally:
    a clear request gets the same script whatever the session is about."""
    for request_text, expected in CASES[:12]:
        alone = match_scripts(request_text)
        elsewhere = match_scripts(request_text, domain="printing", context_texts=PRINTING_SESSION)
        assert alone.best is not None and elsewhere.best is not None
        assert elsewhere.best.id == alone.best.id == expected, request_text
