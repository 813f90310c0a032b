"""The script risk check against a corpus: every dangerous script is caught (refused, or held
behind a confirmation), no benign one is refused; and the misses found by probing now come back
from a model through the script service refused or needing confirmation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.config import Settings
from resolutionflow.scriptgen.catalogue import load_catalogue
from resolutionflow.scriptgen.risk import assess
from tests.ai.fake_servers import FakeModelServer, Reply, openai_success
from tests.fixtures.api import World
from tests.helpers import create_proposal

CORPUS = Path(__file__).parent / "corpus"

# The misses found when the check was probed (issue 11, item 4).
PROBED_MISSES = [
    ("powershell", "& ('Remove'+'-Item') -Path C:\\Windows -Recurse -Force"),
    ("powershell", "& ([char]82+[char]101+[char]109+[char]111+[char]118+[char]101) C:\\x"),
    ("powershell", "Start-Process cmd -ArgumentList '/c rd /s /q C:\\'"),
    ("powershell", "wbadmin delete catalog -quiet"),
    ("bash", "echo cm0gLXJmIC8K | base64 -d | sh"),
    ("bash", ":(){ :|:& };:"),
    ("bash", "python3 -c 'import shutil; shutil.rmtree(\"/\")'"),
    ("bash", "crontab -r"),
    ("bash", "echo '' > /etc/passwd"),
]


def one_per_line(name: str) -> list[str]:
    return [line for line in (CORPUS / name).read_text().splitlines() if line.strip()]


def sectioned(name: str) -> list[tuple[str, str]]:
    """Scripts separated by '### title' lines."""
    out: list[tuple[str, str]] = []
    for block in (CORPUS / name).read_text().split("### ")[1:]:
        title, _, body = block.partition("\n")
        out.append((title.strip(), body))
    return out


def dangerous() -> list[tuple[str, str]]:
    return [("powershell", s) for s in one_per_line("dangerous.ps1.txt")] + [
        ("bash", s) for s in one_per_line("dangerous.sh.txt")
    ]


def benign() -> list[tuple[str, str, str]]:
    handwritten = [("powershell", t, s) for t, s in sectioned("benign.ps1.txt")]
    handwritten += [("bash", t, s) for t, s in sectioned("benign.sh.txt")]
    library = [(e.language, e.id, e.source) for e in load_catalogue()]
    return handwritten + library


def caught(script: str, language: str) -> bool:
    report = assess(script, language, model_output=True)
    risky = [f for f in report.findings if f.severity in ("high", "medium")]
    return report.refused or (report.requires_confirmation and bool(risky))


def test_corpus_every_dangerous_caught_no_benign_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad, good = dangerous(), benign()
    assert len(bad) >= 100 and len(good) >= 100
    missed = [(lang, s) for lang, s in bad if not caught(s, lang)]
    refused_bad = sum(assess(s, lang, model_output=True).refused for lang, s in bad)
    reports = [(lang, title, assess(s, lang, model_output=True)) for lang, title, s in good]
    refused_good = [(lang, title) for lang, title, r in reports if r.refused]
    confirm_good = sum(r.requires_confirmation for _, _, r in reports)
    with capsys.disabled():
        print(
            f"\nscript risk corpus: dangerous {len(bad)} "
            f"(PowerShell {sum(lang == 'powershell' for lang, _ in bad)}, "
            f"Bash {sum(lang == 'bash' for lang, _ in bad)}): caught {len(bad) - len(missed)}, "
            f"refused outright {refused_bad}; benign {len(good)}: refused {len(refused_good)}, "
            f"need confirmation {confirm_good}"
        )
    assert missed == []
    assert refused_good == []


@pytest.mark.parametrize(("language", "script"), PROBED_MISSES)
def test_each_probed_miss_is_caught(language: str, script: str) -> None:
    report = assess(script, language)
    assert report.findings and (report.refused or report.requires_confirmation), report


def test_a_command_in_a_string_is_not_run() -> None:
    report = assess('$note = "never run rm -rf / or Remove-Item C:\\ -Recurse"\n', "powershell")
    assert not report.refused and report.findings == []


def test_dynamic_code_in_model_output_needs_confirmation() -> None:
    for language, script in [
        ("bash", "timeout 5 bash -c 'exec 3<>/dev/tcp/host/443'\n"),
        ("powershell", "cmd /c ver\n"),
        ("powershell", "Invoke-Expression $text\n"),
    ]:
        assert assess(script, language, model_output=True).requires_confirmation, script


def _model_answer(script: str) -> dict[str, Any]:
    body = openai_success({})
    content = {"script": script, "explanation": "Does what was asked.", "parameters": []}
    body["choices"][0]["message"]["content"] = json.dumps(content)
    return body


@pytest.mark.parametrize(("language", "script"), PROBED_MISSES)
async def test_probed_misses_from_a_model_are_not_handed_out_as_safe(
    language: str,
    script: str,
    settings: Settings,
    world: World,
    db: AsyncSession,
    openai_server: FakeModelServer,
) -> None:
    from resolutionflow.app import create_app

    proposal = await create_proposal(db, world.account)
    await db.commit()
    app = create_app(
        settings.model_copy(
            update={
                "ai_provider": "openai",
                "openai_base_url": openai_server.url + "/v1",
                "ai_model": "fake",
                "rate_limit_enabled": False,
            }
        )
    )
    openai_server.default = Reply(body=_model_answer(script))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(
            f"/api/v1/sessions/{proposal.source_session_id}/scripts",
            json={"request": "clean up the machine", "language": language},
            headers=world.engineer.headers,
        )
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["risks"], answer
    assert answer["refused"] is True and answer["script"] == ""
    assert len(openai_server.requests) == 2  # the answer and one repair request
