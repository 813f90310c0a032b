"""The model backends: offline (deterministic, no network), openai-compatible, and anthropic."""
