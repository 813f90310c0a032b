"""The script generator: a library of reviewed scripts, intent matching and risk review."""
