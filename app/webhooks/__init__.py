"""Outgoing webhooks: signed deliveries of the team's events, retried, logged, guarded."""
