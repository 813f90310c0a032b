"""Model providers behind one interface, the prompts sent to them, and parsing what comes back."""

from resolutionflow.ai.base import (
    GenerationResult,
    InMemoryUsageRecorder,
    PermanentProviderError,
    Provider,
    ProviderError,
    ResponseSchema,
    TransientProviderError,
    UsageRecorder,
)

__all__ = [
    "GenerationResult",
    "InMemoryUsageRecorder",
    "PermanentProviderError",
    "Provider",
    "ProviderError",
    "ResponseSchema",
    "TransientProviderError",
    "UsageRecorder",
]
