"""The production stack under load and faults (`make load`, `make faults`)."""
