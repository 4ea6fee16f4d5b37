"""Fixtures for the reports tests live in the project conftest.py (defined once)."""
