"""SafeShare: training and case-review toolkit for sharing information to safeguard children."""

__version__ = "0.1.0"
