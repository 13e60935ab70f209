"""Local stand-ins for the outside world: a real SMTP server and a page listing what it received."""
