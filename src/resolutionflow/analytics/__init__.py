"""Analytics: the dashboard figures of an account over a period (SPEC §11)."""
