"""The change feed of a team: delta-sync (sync.pull) over the synced tables."""
