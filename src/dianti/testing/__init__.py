"""Test helpers shared across apps (registered as pytest plugins from ``dianti/conftest.py``)."""
