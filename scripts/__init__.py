"""Developer commands behind `make run` and `make test`."""
