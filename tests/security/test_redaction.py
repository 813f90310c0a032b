"""The redaction module on its own: every kind found, placeholders typed and stable, levels,
and ordinary service-desk text left alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from resolutionflow.config import Settings
from resolutionflow.redaction import Redactor, find, redact_text
from resolutionflow.redaction.secrets import luhn_ok
from tests.security.catalogue import CATALOGUE

DEMO_DATA = Path(__file__).parents[2] / "src" / "resolutionflow" / "demo" / "data"


@pytest.mark.parametrize("planted", CATALOGUE, ids=lambda p: f"{p.kind}:{p.needles[0][:12]}")
def test_each_planted_value_is_replaced(planted) -> None:  # type: ignore[no-untyped-def]
    out = redact_text(planted.sentence)
    assert not any(needle in out for needle in planted.needles), out
    assert "{{" in out


def test_placeholders_are_typed_and_stable_within_a_session() -> None:
    redactor = Redactor()
    first, second = redactor.texts(
        [
            "jane.doe@contoso.com reported it; password is Hunter2!Secret",
            "Replied to JANE.DOE@contoso.com; then bob@contoso.com asked; Hunter2!Secret again",
        ]
    )
    assert first == "{{EMAIL_1}} reported it; password is {{SECRET_1}}"
    assert second == "Replied to {{EMAIL_1}}; then {{EMAIL_2}} asked; {{SECRET_1}} again"
    assert redactor.summary() == {"EMAIL": 3, "SECRET": 2}


def test_texts_seen_before_are_not_scanned_again_and_number_placeholders_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker redacts one flow's tree for every session that matched it: what a text holds
    is found once per process. Placeholders are still numbered per redactor, in text order,
    and what is kept holds no text and no value found in it."""
    from resolutionflow.redaction import redactor as module

    texts = [
        "Call 0161 496 0321 first, then mail it@fabrikam.example",
        "Token ghp_Q8v7f3k2LmN9pR4sT6wX1yZ0aB5cD7eF9gH2 was pasted; mail ops@fabrikam.example",
    ]
    first = Redactor().texts(texts)
    scans: list[str] = []
    real = module.find

    def counted(text: str, *args: object, **kwargs: object) -> list[module.Span]:
        scans.append(text)
        return real(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "find", counted)
    assert Redactor().texts(texts) == first
    assert scans == []
    # Reversed, the second text's address is the first this redactor meets: EMAIL_1.
    reverse = Redactor().texts(list(reversed(texts)))
    assert reverse == [
        first[1].replace("EMAIL_2", "EMAIL_1"),
        first[0].replace("EMAIL_1", "EMAIL_2"),
    ]
    assert scans == []
    # Only what is new is scanned; another level or other names are scanned afresh.
    Redactor().texts([texts[0], "Printer offline"])
    assert scans == ["Printer offline"]
    Redactor("strict", names=["Jonas Weber"]).texts(texts[:1])
    assert len(scans) == 2
    kept = repr(list(module._FOUND.items()))
    for needle in ("0161 496 0321", "ghp_Q8v7", "fabrikam", "Printer", "Jonas", "Weber"):
        assert needle not in kept


def test_structure_keys_are_kept() -> None:
    value = {"id": "jane.doe@contoso.com", "text": "mail jane.doe@contoso.com", "n": 3}
    out = Redactor().value(value, keep=frozenset({"id"}))
    assert out == {"id": "jane.doe@contoso.com", "text": "mail {{EMAIL_1}}", "n": 3}


def test_levels() -> None:
    text = "Spoke to Sarah Miller at 10.20.30.40; her mail is s.miller@contoso.com"
    assert redact_text(text, "off") == text
    standard = redact_text(text, "standard")
    assert "{{EMAIL_1}}" in standard and "Sarah Miller" in standard and "10.20.30.40" in standard
    strict = redact_text(text, "strict")
    assert "Sarah" not in strict and "10.20.30.40" not in strict and "{{IP_1}}" in strict
    with pytest.raises(ValueError, match="RESOLUTIONFLOW_REDACTION"):
        Settings(redaction="everything")


def test_strict_knows_the_accounts_people() -> None:
    out = Redactor("strict", names=["Sam Keller"]).text("Sam Keller escalated; Keller was right")
    assert "Keller" not in (out or "")


def test_cards_need_the_luhn_check_and_an_issuer() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert "{{CARD_1}}" in redact_text("card 4111 1111 1111 1111")
    assert redact_text("card 4111 1111 1111 1112") == "card 4111 1111 1111 1112"
    assert redact_text("order 1234567812345670") == "order 1234567812345670"  # no issuer


@pytest.mark.parametrize(
    "text",
    [
        "Restarted the Print Spooler and cleared C:\\Windows\\System32\\spool\\PRINTERS",
        "Event ID 4740 on the PDC emulator; KB5034441 failed with 0x80070643",
        "Windows 11 23H2 build 22631.3007, Office2019, Win10-22H2, port 3389 open",
        "The password policy requires 14 characters; the password is expired",
        "Ran Get-ADUser -Identity jsmith -Properties LockedOut | Unlock-ADAccount",
        "Set-ADAccountPassword -Reset -NewPassword (Read-Host -AsSecureString)",
        "password=$env:SVC_PASSWORD and token: {{SECRET_1}}",
        "Ticket 2024-11-05 10:30, SLA 4h, asset tag 0041-3382",
        "Server=tcp:sql01;Database=crm;Integrated Security=true",
    ],
)
def test_ordinary_service_desk_text_is_left_alone(text: str) -> None:
    assert find(text) == []


def test_the_demo_data_needs_no_redaction_even_when_strict() -> None:
    texts: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for name in ("flows.json", "scenarios.json"):
        walk(json.loads((DEMO_DATA / name).read_text()))
    assert len(texts) > 1000
    found = [(t[s.start : s.end], t[:60]) for t in texts for s in find(t, "strict")]
    assert found == []
