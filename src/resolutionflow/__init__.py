"""ResolutionFlow: a knowledge flywheel for IT service desks and MSPs."""

__version__ = "0.1.0"
