"""ORM classes, one module per aggregate; importing this package registers them all."""

from resolutionflow.models.account import ROLES, Account, ApiToken, Team, User
from resolutionflow.models.base import Base
from resolutionflow.models.feedback import NodeFeedback
from resolutionflow.models.flow import FLOW_ORIGINS, Flow, FlowVersion
from resolutionflow.models.imports import ImportCursor
from resolutionflow.models.notification import Notification
from resolutionflow.models.proposal import PROPOSAL_STATUSES, PROPOSAL_TYPES, FlowProposal
from resolutionflow.models.proposal_counts import ProposalCount
from resolutionflow.models.script import ScriptRequest
from resolutionflow.models.session import (
    ANALYSIS_STATUSES,
    CONFIDENCE_TIERS,
    SESSION_STATUSES,
    STEP_TYPES,
    Session,
    SessionStep,
)
from resolutionflow.models.sign_in_notices import SIGN_IN_CHANNEL
from resolutionflow.models.usage import ModelUsage, ProposalBudget
from resolutionflow.vocabulary import PROBLEM_DOMAINS

__all__ = [
    "ANALYSIS_STATUSES",
    "CONFIDENCE_TIERS",
    "FLOW_ORIGINS",
    "PROBLEM_DOMAINS",
    "PROPOSAL_STATUSES",
    "PROPOSAL_TYPES",
    "ROLES",
    "SESSION_STATUSES",
    "SIGN_IN_CHANNEL",
    "STEP_TYPES",
    "Account",
    "ApiToken",
    "Base",
    "Flow",
    "FlowProposal",
    "FlowVersion",
    "ImportCursor",
    "ModelUsage",
    "NodeFeedback",
    "Notification",
    "ProposalBudget",
    "ProposalCount",
    "ScriptRequest",
    "Session",
    "SessionStep",
    "Team",
    "User",
]
