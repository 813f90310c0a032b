"""Rendering parameters, the offline answer, and the review of model-written scripts."""

from __future__ import annotations

import pytest

from resolutionflow.errors import Invalid
from resolutionflow.scriptgen.catalogue import ScriptEntry, load_catalogue
from resolutionflow.scriptgen.generate import build_offline_answer, check_generated, render
from resolutionflow.scriptgen.syntax import check_powershell


def get_script(script_id: str) -> ScriptEntry:
    return next(entry for entry in load_catalogue() if entry.id == script_id)


def test_render_fills_powershell_defaults_safely() -> None:
    entry = get_script("ad-account-state")
    script = render(entry, {"Identity": "o'brien $(Remove-Item C:\\)", "ResetPasswordAge": True})
    assert "[string]$Identity = 'o''brien $(Remove-Item C:\\)'," in script
    assert "[bool]$ResetPasswordAge = $true," in script
    assert check_powershell(script).problems == ()
    # The value stays inside a single-quoted literal, so nothing new is risky.
    assert script.count("Remove-Item") == 1


def test_render_fills_bash_defaults_safely() -> None:
    entry = get_script("linux-restart-service")
    script = render(entry, {"SERVICE_NAME": "ng'inx; reboot", "LOG_LINES": "50"})
    assert "SERVICE_NAME='ng'\\''inx; reboot'" in script
    assert "\nLOG_LINES=50\n" in script


def test_render_accepts_names_case_insensitively_and_lists() -> None:
    entry = get_script("collect-event-logs")
    script = render(entry, {"lognames": "System, Security", "-Hours": 6})
    assert "[string[]]$LogNames = @('System', 'Security')," in script
    assert "[int]$Hours = 6," in script


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"NoSuchThing": "x"}, "parameters.NoSuchThing"),
        ({"TimeoutSeconds": "soon"}, "parameters.TimeoutSeconds"),
        ({"ClearQueue": "perhaps"}, "parameters.ClearQueue"),
    ],
)
def test_render_rejects_bad_parameters(params, location) -> None:
    with pytest.raises(Invalid) as caught:
        render(get_script("print-spooler-reset"), params)
    assert [p.location for p in caught.value.problems] == [location]


def test_render_rejects_multiline_values() -> None:
    with pytest.raises(Invalid):
        render(get_script("restart-windows-service"), {"ServiceName": "a\nRemove-Item C:\\"})


def test_render_without_params_is_the_library_text() -> None:
    entry = get_script("bitlocker-status")
    assert render(entry, {}) == entry.source


def test_offline_answer_for_a_matching_request() -> None:
    answer = build_offline_answer(
        "user locked out of AD again",
        "powershell",
        "active_directory",
        ["User cannot sign in", "Checked the account in ADUC"],
        params={"Identity": "jsmith", "Unlock": True},
    )
    assert answer["matched"] is True
    assert answer["template"] == "ad-locked-accounts"
    assert answer["language"] == "powershell"
    assert "[string]$Identity = 'jsmith'," in answer["script"]
    assert answer["requires_confirmation"] is True
    assert answer["refused"] is False
    assert any(r["rule"] == "account_change" for r in answer["risks"])
    assert "-WhatIf" in answer["explanation"]
    identity = next(p for p in answer["parameters"] if p["name"] == "Identity")
    assert identity["value"] == "jsmith" and identity["default"] == ""
    assert set(answer) >= {
        "script",
        "language",
        "explanation",
        "parameters",
        "risks",
        "requires_confirmation",
        "template",
        "matched",
        "suggestions",
    }


def test_offline_answer_names_missing_required_parameters() -> None:
    answer = build_offline_answer("restart nginx on the ubuntu box", "bash")
    assert answer["template"] == "linux-restart-service"
    assert "SERVICE_NAME" in answer["explanation"]
    assert "--yes" in answer["explanation"]


def test_offline_answer_for_a_read_only_script() -> None:
    answer = build_offline_answer("is bitlocker on? check the drive encryption")
    assert answer["template"] == "bitlocker-status"
    assert answer["risks"] == [] and answer["requires_confirmation"] is False
    assert "changes nothing" in answer["explanation"]


@pytest.mark.parametrize("request_text", ["write me a poem", "order pizza", "what's the weather"])
def test_offline_answer_never_invents_a_script(request_text) -> None:
    answer = build_offline_answer(request_text, "powershell")
    assert answer["matched"] is False
    assert answer["script"] == ""
    assert answer["template"] is None
    assert len(answer["suggestions"]) == 3
    assert "No script in the library fits" in answer["explanation"]
    for suggestion in answer["suggestions"]:
        assert suggestion["id"] in answer["explanation"]
        assert set(suggestion) == {"id", "title", "score"}


def test_check_generated_accepts_a_good_guarded_script() -> None:
    script = (
        "[CmdletBinding(SupportsShouldProcess = $true)]\nparam([string]$Path = 'C:\\Temp')\n"
        "if ($PSCmdlet.ShouldProcess($Path, 'Delete temp files')) {\n"
        "    Get-ChildItem -Path $Path -File | Remove-Item -Force\n}\n"
    )
    result = check_generated(script, "powershell")
    assert result["ok"] is True and result["syntax_checked"] is True
    assert result["requires_confirmation"] is True and result["refused"] is False
    assert result["problems"] == []


def test_check_generated_reports_syntax_risk_and_secret_problems() -> None:
    script = "Remove-Item C:\\x -Recurse\n$password = 'Hunter22!'\nif ( {\n"
    result = check_generated(script, "powershell")
    assert result["ok"] is False and result["refused"] is True
    sources = {(p["source"], p["line"]) for p in result["problems"]}
    assert ("risk", 1) in sources and ("risk", 2) in sources and ("syntax", 3) in sources
    assert all("Hunter22!" not in str(r) for r in result["risks"])


def test_check_generated_bash() -> None:
    good = (
        "#!/usr/bin/env bash\nset -euo pipefail\nYES=0\n"
        '[[ "${1:-}" == --yes ]] && YES=1\n'
        'if [[ "$YES" -eq 1 ]]; then\n  systemctl restart nginx\nelse\n'
        '  echo "would restart nginx"\nfi\n'
    )
    result = check_generated(good, "bash")
    assert result["ok"] is True, result["problems"]
    assert result["requires_confirmation"] is True

    bad = "systemctl restart nginx\nif then\n"
    result = check_generated(bad, "bash")
    assert result["ok"] is False
    assert any(p["source"] == "syntax" and p["line"] == 2 for p in result["problems"])
    assert any(p["source"] == "risk" and p["line"] == 1 for p in result["problems"])


def test_check_generated_rejects_unknown_language_and_empty_script() -> None:
    with pytest.raises(Invalid):
        check_generated("print(1)", "python")
    assert check_generated("   ", "powershell")["ok"] is False


def test_user_profile_request_on_a_printing_session_gets_the_profile_script() -> None:
    from resolutionflow.scriptgen.generate import build_offline_answer
    from resolutionflow.scriptgen.risk import assess

    context = ["Printer on floor 2 shows offline", "Restart the print spooler"]
    answer = build_offline_answer(
        "delete all user profiles older than 30 days", "powershell", "printing", context
    )
    assert answer["template"] == "user-profile-cleanup"
    assert "print" not in answer["script"].lower()
    assert "[int]$Days = 30" in answer["script"]
    # A dry run unless asked: deleting needs -Delete $true and then each profile's confirmation.
    assert "[bool]$Delete = $false" in answer["script"]
    assert answer["requires_confirmation"] and not answer["refused"]
    report = assess(answer["script"], "powershell")
    assert report.unguarded == []
    assert [f.rule for f in report.findings] == ["delete"]

    nothing = build_offline_answer("rename the computer", "powershell", "printing", context)
    assert nothing["template"] is None and nothing["script"] == ""
    assert "No script in the library fits" in nothing["explanation"]
