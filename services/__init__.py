"""Pelita services: each owns its store and talks to the others only through messages."""
