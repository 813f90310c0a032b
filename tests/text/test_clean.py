"""Taking names and noise out of ticket text, keeping the rest as written (pure)."""

from __future__ import annotations

import pytest

from resolutionflow.text.clean import clean, one_line, shared_keywords, shared_title, subject


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        ("Oakridge Pharmacy - Printer offline", ["Oakridge Pharmacy"], "Printer offline"),
        ("[Kestrel] vpn keeps dropping", [], "vpn keeps dropping"),
        (
            "Northgate Vets: outlook calendar permissions",
            ["Northgate Vets Ltd"],
            "outlook calendar permissions",
        ),
        ("Printer offline (Oakridge)", ["Oakridge Pharmacy"], "Printer offline"),
        ("Reset password for Yusuf Demir", [], "Reset password"),
        ("Laptop won't turn on - Ravi Desai", [], "Laptop won't turn on"),
        (
            "Mia Rossi locked out by BitLocker recovery prompt after dock",
            [],
            "locked out by BitLocker recovery prompt after dock",
        ),
        ("Janet rang - Feature update won't install", [], "Feature update won't install"),
        (
            "Kestrel - Can't find emails (called in by Callum)",
            ["Kestrel Logistics"],
            "Can't find emails",
        ),
        (
            "Voicemail from Danielle at Summit Ridge, Printer driver won't install",
            [],
            "Printer driver won't install",
        ),
    ],
)
def test_customer_and_people_names_are_removed(text: str, names: list[str], expected: str) -> None:
    assert clean(text, names=names) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RE: FW: [EXTERNAL] OneDrive not syncing", "OneDrive not syncing"),
        ("URGENT: Hyper-V host down #48213", "Hyper-V host down"),
        ("INC0012345 Outlook crashes on startup", "Outlook crashes on startup"),
        ("Outlook crashes (ref 55123)", "Outlook crashes"),
        ("Ticket 2025-118 VPN drops", "VPN drops"),
        ("Mailbox full T20260911.0001", "Mailbox full"),
        ("Printer jams {{EMAIL_1}} again", "Printer jams again"),
    ],
)
def test_prefixes_ticket_numbers_and_placeholders_go(text: str, expected: str) -> None:
    assert clean(text) == expected


def test_greetings_signatures_addresses_and_disclaimers_go() -> None:
    mail = (
        "RE: Shared drive missing\n\nHi team,\n\nThe S drive vanished after the update.\n\n"
        "Kind regards,\nPriya Shah\nOffice Manager | Oakridge Pharmacy\n"
        "priya.shah@oakridge.example | 0161 496 0000\n\n"
        "This email is confidential and intended only for the addressee."
    )
    out = clean(mail, names=["Oakridge Pharmacy"])
    assert out == "Shared drive missing\nThe S drive vanished after the update."
    assert one_line(mail) == "Shared drive missing. The S drive vanished after the update"
    assert clean("Outlook asks for password\n\nSent from my iPhone") == "Outlook asks for password"
    assert clean("Email jo@example.com bounced") == "Email bounced"


def test_capitalisation_is_kept_and_words_are_not_taken_for_names() -> None:
    assert clean("OneDrive and Hyper-V on the VPN") == "OneDrive and Hyper-V on the VPN"
    assert clean("Mark Outlook items as read") == "Mark Outlook items as read"
    assert clean("Grace period expired for the licence") == "Grace period expired for the licence"
    # A customer's short form never swallows a product's name.
    assert clean("Outlook crashes", names=["Outlook Dental Ltd"]) == "Outlook crashes"


def test_subject_title_and_keywords_come_from_what_tickets_share() -> None:
    tickets = [
        "RE: OneDrive not syncing\n\nHi,\n\nit stopped yesterday\n\nThanks, Tom",
        "Kestrel - onedrive sync stuck",
        "Mia Rossi - OneDrive not syncing files since update",
    ]
    assert subject(tickets[0]) == "OneDrive not syncing"
    assert shared_title(tickets, names=["Kestrel Logistics"]) == "OneDrive not syncing"
    keywords = shared_keywords(tickets, names=["Kestrel Logistics"])
    assert keywords[0] == "OneDrive"
    assert not {"mia", "rossi", "tom", "kestrel", "won", "thanks"} & {k.lower() for k in keywords}
    assert shared_title(["vpn drops", "VPN keeps dropping", "VPN disconnects"]) == "VPN drops"


def test_one_line_mails_lose_greeting_and_signature() -> None:
    text = (
        "vpn Hi team, I'm working from home and the VPN says connecting then fails. "
        "Thank you! Marcus Willow Lane Primary School. This message is confidential."
    )
    assert clean(text) == "vpn I'm working from home and the VPN says connecting then fails."
    assert clean("Printer offline since this morning, nobody can print") == (
        "Printer offline since this morning, nobody can print"
    )


def test_shared_reports_counts_every_ticket() -> None:
    from resolutionflow.text.clean import shared_reports

    out = shared_reports(["Printer offline", "printer offline again", "CAN'T PRINT"], count=40)
    assert out.startswith('Reported 40 times, e.g. "Printer offline"')
