"""Bringing existing knowledge in: PSA ticket history and knowledge-base articles."""
