"""Flow health: per-node figures of each flow version, and flow ownership and staleness."""
