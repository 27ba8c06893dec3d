"""Models of the devices on the buses."""
