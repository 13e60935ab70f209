"""Reporting: a read model of the programme built from events, the dashboard and the periodic reports."""
