"""Provider adapters of the notifications service, each behind a small interface."""
