"""ESP connections, their sync runs, and the sync itself."""
