"""The session runner: engineers find a flow for the ticket, walk it and record the session."""
