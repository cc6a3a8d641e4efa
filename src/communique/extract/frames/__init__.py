"""One module per event type; each exposes `extract(ctx) -> list[Event]`."""
