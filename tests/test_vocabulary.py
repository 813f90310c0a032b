"""One list of problem domains, used everywhere."""

from __future__ import annotations

from typing import get_args

from resolutionflow.ai.prompts import NEW_FLOW_SYSTEM_PROMPT
from resolutionflow.scriptgen.catalogue import load_catalogue
from resolutionflow.sessions.schemas import ProblemDomain
from resolutionflow.vocabulary import DOMAIN_NAMES, PROBLEM_DOMAINS


def test_every_use_agrees_with_the_one_list() -> None:
    assert get_args(ProblemDomain) == PROBLEM_DOMAINS
    assert set(DOMAIN_NAMES) == set(PROBLEM_DOMAINS)
    assert {entry.domain for entry in load_catalogue()} <= set(PROBLEM_DOMAINS)
    for domain in PROBLEM_DOMAINS:
        assert domain in NEW_FLOW_SYSTEM_PROMPT
