"""livesession."""
