"""Getting a message out: the provider clients, the pace and daily budget of each channel, the providers' order
(priorities and failover), phone numbers, quiet hours, and the send path every message takes."""
