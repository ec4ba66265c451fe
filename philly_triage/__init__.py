"""triage: find the failure that ended each deep-learning job and say what kind it is."""

__version__ = "0.1.0"
