"""The product's shared words: the problem domains a flow or session belongs to, and their names.

Written once here; the models, API shapes, prompts, script catalogue and pages import them.
"""

from __future__ import annotations

from typing import Literal, get_args

ProblemDomain = Literal[
    "active_directory",
    "networking",
    "m365",
    "hardware",
    "endpoint",
    "virtualization",
    "security",
    "backup",
    "email",
    "printing",
    "cloud",
    "other",
]
PROBLEM_DOMAINS: tuple[str, ...] = get_args(ProblemDomain)

# How each domain reads on a page or in a heading.
DOMAIN_NAMES: dict[str, str] = {
    "active_directory": "Active Directory",
    "networking": "Networking",
    "m365": "Microsoft 365",
    "hardware": "Hardware",
    "endpoint": "Endpoint",
    "virtualization": "Virtualisation",
    "security": "Security",
    "backup": "Backup",
    "email": "Email",
    "printing": "Printing",
    "cloud": "Cloud",
    "other": "Other",
}
