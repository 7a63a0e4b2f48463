"""The package version, importable by every stage without loading the public API."""

__version__ = "0.1.0"
