"""chromatic: training and music-production pipeline of a chromatic composition system."""

__version__ = "0.1.0"
