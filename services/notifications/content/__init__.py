"""What a message says: its templates and their rendering, the email's HTML, QR code and calendar file, SMS
length, and the editor staff change the texts with."""
