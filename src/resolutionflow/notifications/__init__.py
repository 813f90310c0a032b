"""In-app notifications and the optional outgoing webhook."""
