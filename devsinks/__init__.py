"""Local stand-ins for the outside world (DESIGN §6): a real SMTP server and a page listing what it received."""
