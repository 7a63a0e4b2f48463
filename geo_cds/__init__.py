"""geo-cds: village-level digital-infrastructure gaps and investment plans for Vietnamese provinces."""

__version__ = "0.1.0"
