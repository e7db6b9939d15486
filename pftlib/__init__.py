"""pftlib."""
