"""Identity: passwords, sessions and team API keys."""
