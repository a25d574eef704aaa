"""Plans anti-fraud publicity campaigns for police stations."""

__version__ = "0.1.0"
