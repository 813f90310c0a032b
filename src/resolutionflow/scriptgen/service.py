"""Script generation for a session: gather context, get a script, review it, keep the request.

The offline provider answers from the script library (and says so when nothing fits); model
providers write a new script, which goes through the same syntax and risk review. Nothing
here ever runs a script. The model call happens with no transaction open: the caller reads
the context, ends its transaction, calls `produce`, then records the answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolutionflow.ai.parsing import ParseError, extract_json_object
from resolutionflow.ai.registry import get_provider
from resolutionflow.config import Settings
from resolutionflow.errors import Invalid, Problem
from resolutionflow.models import Account, ScriptRequest, User
from resolutionflow.redaction import Redactor
from resolutionflow.scriptgen import prompts
from resolutionflow.scriptgen import repository as repo
from resolutionflow.scriptgen.generate import build_offline_answer, check_generated
from resolutionflow.sessions import service as sessions


@dataclass(frozen=True)
class ScriptContext:
    session_id: uuid.UUID
    account_id: uuid.UUID
    domain: str | None
    summary: str
    step_texts: tuple[str, ...]
    step_order: int | None


async def script_context(
    db: AsyncSession, *, account: Account, session_id: uuid.UUID | str, step_order: int | None
) -> ScriptContext:
    session = await sessions.get_session(db, account=account, session_id=session_id)
    steps = await sessions.get_steps(db, session=session)
    if step_order is not None and step_order not in {s.step_order for s in steps}:
        raise Invalid(
            f"the session has no step {step_order}",
            problems=[Problem("step_order", f"no step {step_order} in this session")],
        )
    chosen = [s for s in steps if step_order is None or s.step_order <= step_order]
    texts = tuple(
        t for s in chosen[-8:] for t in ((s.content or {}).get("text"), s.free_text_input) if t
    )
    return ScriptContext(
        session_id=session.id,
        account_id=account.id,
        domain=session.problem_domain,
        summary=session.problem_summary,
        step_texts=texts,
        step_order=step_order,
    )


async def produce(
    settings: Settings,
    context: ScriptContext,
    *,
    request: str,
    language: str,
    params: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The answer for `request`: from the library offline, or written and reviewed by a model."""
    texts = (context.summary, *context.step_texts)
    if settings.ai_provider == "offline":
        answer = build_offline_answer(request, language, context.domain, texts, params=params)
        answer["provider"] = "offline"
        answer.setdefault("problems", [])
        if answer.get("refused"):
            answer["script"] = ""
        return answer
    return await _from_model(settings, context, request=request, language=language)


async def _from_model(
    settings: Settings, context: ScriptContext, *, request: str, language: str
) -> dict[str, Any]:
    provider = get_provider(settings, "script")
    system = prompts.SCRIPT_SYSTEM_PROMPT.format(
        language="PowerShell" if language == "powershell" else "Bash"
    )
    # Nothing the engineer typed leaves as it is: the request and the session's text go out
    # with secrets and personal data replaced by placeholders.
    redactor = Redactor(settings.redaction)
    asked, summary, *steps = redactor.texts([request, context.summary, *context.step_texts])
    data = {"problem": summary, "domain": context.domain, "steps": steps}
    messages = [{"role": "user", "content": prompts.script_message(asked, data)}]
    parsed: dict[str, Any] = {}
    review: dict[str, Any] = {"ok": False, "problems": []}
    for _attempt in range(2):  # the answer, then one repair if it does not pass review
        result = await provider.generate_json(system, messages, 3000)
        try:
            parsed = extract_json_object(result.text)
            script = str(parsed.get("script") or "")
        except ParseError as exc:
            parsed, script = {}, ""
            review = {"ok": False, "problems": [{"line": 1, "message": str(exc)}]}
        else:
            review = check_generated(script, language)
        if review.get("ok"):
            break
        messages += [
            {"role": "assistant", "content": result.text},
            {"role": "user", "content": prompts.repair_message(review.get("problems") or [])},
        ]
    script = str(parsed.get("script") or "")
    refused = bool(review.get("refused"))
    unsafe = sorted({p["line"] for p in review.get("problems") or [] if p.get("source") == "risk"})
    if unsafe and not refused:
        # Even after the repair request the model kept risky steps outside the confirmation
        # switch: handing such a script to an engineer is how destructive steps slip through.
        refused = True
        review["refusal_reason"] = (
            "The model's script runs risky steps without asking for confirmation (line "
            + ", ".join(str(n) for n in unsafe[:10])
            + ") even after a repair request, so it is withheld. Ask again, or use a "
            "library script."
        )
    explanation = str(redactor.text(str(parsed.get("explanation") or "")))
    if refused:
        explanation += f" Refused: {review.get('refusal_reason')}"
    elif redactor.counts and "{{" in script:
        explanation += (
            " Values such as {{EMAIL_1}} stand for details of the session that were not sent to"
            " the model: fill them in before running the script."
        )
    return {
        "script": "" if refused else script,
        "language": language,
        "explanation": explanation.strip(),
        "parameters": [
            redactor.value(p, keep=frozenset({"name", "required"}))
            for p in parsed.get("parameters") or []
            if isinstance(p, dict)
        ],
        "risks": review.get("risks") or [],
        "requires_confirmation": bool(review.get("requires_confirmation")),
        "refused": refused,
        "template": None,
        "matched": bool(script) and not refused,
        "suggestions": [],
        "problems": review.get("problems") or [],
        "provider": settings.ai_provider,
    }


async def record(
    db: AsyncSession,
    *,
    context: ScriptContext,
    user: User | None,
    request: str,
    language: str,
    answer: dict[str, Any],
) -> ScriptRequest:
    row = ScriptRequest(
        id=uuid.uuid4(),
        account_id=context.account_id,
        session_id=context.session_id,
        user_id=user.id if user else None,
        step_order=context.step_order,
        request_text=request,
        language=answer.get("language") or language,
        provider=answer.get("provider", "offline"),
        template=answer.get("template"),
        matched=bool(answer.get("matched")),
        refused=bool(answer.get("refused")),
        requires_confirmation=bool(answer.get("requires_confirmation")),
        script=answer.get("script") or "",
        explanation=answer.get("explanation") or "",
        parameters=answer.get("parameters") or [],
        risks=answer.get("risks") or [],
        suggestions=answer.get("suggestions") or [],
        problems=answer.get("problems") or [],
    )
    return await repo.add_request(db, row)


async def history(
    db: AsyncSession, *, account: Account, session_id: uuid.UUID | str
) -> list[ScriptRequest]:
    session = await sessions.get_session(db, account=account, session_id=session_id)
    return await repo.requests_of_session(db, account.id, session.id)


def as_cli_dict(row: ScriptRequest) -> dict[str, Any]:
    return {
        "script": row.script,
        "language": row.language,
        "explanation": row.explanation,
        "parameters": row.parameters,
        "risks": row.risks,
        "requires_confirmation": row.requires_confirmation,
        "template": row.template,
    }
