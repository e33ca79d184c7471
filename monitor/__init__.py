"""privmon: a dynamic privacy monitor for Android apps."""

__version__ = "0.1.0"
