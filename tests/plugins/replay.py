"""Fixtures for this real part are added by its issue."""
