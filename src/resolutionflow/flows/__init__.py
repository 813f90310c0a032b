"""Flows: the troubleshooting decision trees, their structure rules, merging, diffs and export."""
