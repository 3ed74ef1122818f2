"""Dianti: 点题述职 for grassroots Party organizations."""

__version__ = "0.1.0"
