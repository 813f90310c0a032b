"""Finding secrets and personal data, and replacing them with typed placeholders."""

from resolutionflow.redaction.redactor import LEVELS, Redactor, check_level, find, redact_text

__all__ = ["LEVELS", "Redactor", "check_level", "find", "redact_text"]
