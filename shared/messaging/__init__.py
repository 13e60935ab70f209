"""Cross-service messages: names, contracts, routing and publishing."""
