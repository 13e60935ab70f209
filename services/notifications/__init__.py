"""Notifications: confirmations and reminders by email, SMS and WhatsApp, each delivered once."""
