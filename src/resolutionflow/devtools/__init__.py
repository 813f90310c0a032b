"""Development tools: stand-ins used by tests, benchmarks and offline demos."""
