"""The `resolutionflow` command line: thin Typer sub-apps over the services."""
