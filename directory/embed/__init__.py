"""embed feature."""
