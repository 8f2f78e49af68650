"""Subscribers: list, search, keyset pages, manual create, edit, soft delete and restore."""
