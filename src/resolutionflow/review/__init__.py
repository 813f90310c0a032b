"""The review queue: listing, inspecting and deciding on flow proposals."""
