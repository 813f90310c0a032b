"""Operations: health, readiness, Prometheus metrics."""
