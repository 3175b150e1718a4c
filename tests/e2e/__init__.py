"""End-to-end tests through the Discord stand-in."""
