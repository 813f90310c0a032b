"""What of a session may leave for a model, and what of a model's answer may be stored.

The worker redacts a session's snapshot once, before anything is built from it: the
transcript and structured data in the prompt, the path folded into a proposal and the
summaries kept with it all come from the redacted copy. A flow shown to a model for an
enhancement is redacted too (its text only; ids stay, so the model's diff still applies to
the real flow). And whatever the model answers is redacted again before it is stored, so not
even a value it made up can reach a proposal, a notification or a webhook.
"""

from __future__ import annotations

from typing import Any

from resolutionflow.flows.merge import apply_enhancement
from resolutionflow.redaction import Redactor

# Keys whose values are structure, not text: redacting them would break links and lookups.
STRUCTURE_KEYS = frozenset(
    {
        "id",
        "session_id",
        "step_order",
        "step_type",
        "type",
        "was_free_text",
        "was_skipped",
        "matched_flow_id",
        "status",
        "confidence_tier",
        "confidence_score",
        "match_score",
        "problem_domain",
        "responded_at",
        "success",
        "next_node_id",
        "attach_after_node_id",
        "node_id",
        "charted",
    }
)


def redact_snapshot(snapshot: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    """The session snapshot with every piece of its text redacted."""
    return redactor.value(snapshot, keep=STRUCTURE_KEYS)  # type: ignore[no-any-return]


def redact_tree(tree: dict[str, Any] | None, redactor: Redactor) -> dict[str, Any] | None:
    """A flow's tree with its text redacted and its ids and links untouched."""
    if tree is None:
        return None
    return redactor.value(tree, keep=STRUCTURE_KEYS)  # type: ignore[no-any-return]


def redact_generated(
    data: dict[str, Any], redactor: Redactor, *, original_tree: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A model's answer, redacted. For an enhancement the merged flow is rebuilt on the real
    flow from the redacted change, so the flow's own text is kept as it is."""
    if not redactor.active:
        return data
    merged = data.get("merged_tree")
    clean: dict[str, Any] = redactor.value(
        {k: v for k, v in data.items() if k != "merged_tree"}, keep=STRUCTURE_KEYS
    )
    if merged is not None:
        outcome: tuple[dict[str, Any], list[Any]] = (
            apply_enhancement(original_tree, clean)
            if original_tree is not None
            else ({}, ["no original tree"])
        )
        rebuilt, problems = outcome
        clean["merged_tree"] = (
            rebuilt if not problems else redactor.value(merged, keep=STRUCTURE_KEYS)
        )
    return clean
