"""Mail: an outbox written in the unit of work, sent over SMTP by the worker (decision 0025)."""
