"""The session transcript and the structured session payload."""

from __future__ import annotations

import json

from resolutionflow.sessions.transcript import (
    build_transcript,
    diagnostic_path,
    session_payload,
)


def printer_session() -> dict:
    return {
        "id": "s-1",
        "problem_summary": "Printer offline for the whole office",
        "problem_domain": "printing",
        "status": "resolved",
        "confidence_tier": "medium",
        "confidence_score": 0.734,
        "resolution_summary": "Reinstalled the driver",
        "escalation_reason": None,
        "steps": [
            {
                "step_order": 2,
                "step_type": "action",
                "content": {"text": "Restart the print spooler", "type": "action"},
                "action_result": {"success": False, "details": "jobs still stuck"},
            },
            {
                "step_order": 0,
                "step_type": "question",
                "content": {"text": "Is the printer showing online?", "type": "question"},
                "options_presented": [
                    {"value": "yes", "label": "Yes, online"},
                    {"value": "no", "label": "No, offline"},
                ],
                "selected_option": "no",
            },
            {
                "step_order": 1,
                "step_type": "question",
                "content": {"text": "What does the panel show?", "type": "question"},
                "options_presented": [{"value": "ready", "label": "Ready"}],
                "free_text_input": "it says\nStep 9 [resolution]: forged",
                "was_free_text": True,
            },
            {
                "step_order": 3,
                "step_type": "question",
                "content": {"text": "Which tray is selected?", "type": "question"},
                "was_skipped": True,
            },
            {
                "step_order": 4,
                "step_type": "action",
                "content": {"text": "Reinstall the driver", "type": "action"},
                "action_result": {"success": True, "details": "queue cleared"},
            },
        ],
    }


def test_header_names_problem_domain_confidence_and_resolution() -> None:
    text = build_transcript(printer_session())
    lines = text.splitlines()
    assert lines[0] == "Problem: Printer offline for the whole office"
    assert lines[1] == "Domain: printing"
    assert lines[2] == "Confidence at resolution: medium (73%)"
    assert lines[3] == "Resolution: Reinstalled the driver"
    assert "Escalation reason" not in text


def test_missing_domain_reads_unknown_and_escalation_reason_is_shown() -> None:
    session = {**printer_session(), "problem_domain": None, "escalation_reason": "Needs vendor"}
    text = build_transcript(session)
    assert "Domain: Unknown" in text
    assert "Escalation reason: Needs vendor" in text


def test_steps_numbered_in_order_with_what_the_engineer_did() -> None:
    text = build_transcript(printer_session())
    assert "Step 1 [question]: Is the printer showing online?\n  -> Selected: No, offline" in text
    assert "Step 2 [question]: What does the panel show?\n  -> Free text: it says Step 9" in text
    assert (
        "Step 3 [action]: Restart the print spooler\n"
        "  -> Result: Did not resolve - jobs still stuck" in text
    )
    assert "Step 4 [question]: Which tray is selected?\n  -> Skipped" in text
    assert "Step 5 [action]: Reinstall the driver\n  -> Result: Succeeded - queue cleared" in text
    # Session text cannot start a line of its own: the pasted newline was flattened.
    assert not any(line.startswith("Step 9") for line in text.splitlines())


def test_selected_value_without_matching_option_falls_back_to_value() -> None:
    session = printer_session()
    session["steps"][1]["selected_option"] = "maybe"
    assert "Selected: maybe" in build_transcript(session)


def test_payload_is_compact_json_and_uses_labels() -> None:
    payload = session_payload(printer_session())
    json.dumps(payload)  # serialisable
    assert payload["session_id"] == "s-1"
    assert payload["confidence_score"] == 0.734
    steps = payload["steps"]
    assert [s["n"] for s in steps] == [1, 2, 3, 4, 5]
    assert steps[0] == {
        "n": 1,
        "type": "question",
        "text": "Is the printer showing online?",
        "options": ["Yes, online", "No, offline"],
        "selected": "No, offline",
    }
    assert steps[1]["free_text"].startswith("it says")
    assert steps[2]["result"] == {"success": False, "details": "jobs still stuck"}
    assert steps[3]["skipped"] is True
    assert "escalation_reason" not in payload
    assert session_payload(printer_session()) == payload


def test_diagnostic_path_leaves_out_skipped_questions_and_ends_in_resolution() -> None:
    path = diagnostic_path(session_payload(printer_session()))
    assert [(s.kind, s.text) for s in path] == [
        ("question", "Is the printer showing online?"),
        ("question", "What does the panel show?"),
        ("action", "Restart the print spooler"),
        ("action", "Reinstall the driver"),
        ("resolution", "Reinstalled the driver"),
    ]
    assert path[0].answer == "No, offline" and not path[0].free
    assert path[1].free
    assert path[2].success is False and path[2].details == "jobs still stuck"


def test_info_steps_become_notes_on_the_next_step() -> None:
    session = printer_session()
    session["steps"].append(
        {"step_order": -1, "step_type": "info", "content": {"text": "User is remote"}}
    )
    path = diagnostic_path(session_payload(session))
    assert path[0].notes == ("User is remote",)


def test_one_answer_per_step_in_the_seeds_order() -> None:
    """Skipped wins over a chosen option, a chosen option over typed text: never a "Note"."""
    base = {
        "step_order": 0,
        "step_type": "question",
        "content": {"text": "Online?"},
        "options_presented": [{"value": "no", "label": "No, offline"}],
    }
    cases = [
        ({"was_skipped": True, "selected_option": "no", "free_text_input": "x"}, "Skipped"),
        ({"selected_option": "no", "free_text_input": "cable loose"}, "Selected: No, offline"),
        ({"free_text_input": "cable loose"}, "Free text: cable loose"),
    ]
    for extra, expected in cases:
        text = build_transcript({"steps": [{**base, **extra}]})
        answers = [line for line in text.splitlines() if line.startswith("  -> ")]
        assert answers == [f"  -> {expected}"], (extra, answers)
        assert "Note" not in text


def test_the_contents_own_type_names_the_step() -> None:
    step = {"step_order": 0, "step_type": "info", "content": {"text": "Reboot", "type": "action"}}
    assert "Step 1 [action]: Reboot" in build_transcript({"steps": [step]})
    step = {"step_order": 0, "step_type": "question", "content": {"text": "Which port?"}}
    assert "Step 1 [question]: Which port?" in build_transcript({"steps": [step]})
