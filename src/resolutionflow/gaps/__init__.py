"""Knowledge gaps: the signals that show where the flow library falls short."""
