"""Contracts and wiring shared by every Pelita service (no service code lives here)."""
