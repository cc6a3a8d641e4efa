"""Across documents: entity identity, event merging, the deployment ledger, translations and
near-duplicates. Pure functions over plain dicts; the store calls them inside its transaction."""
