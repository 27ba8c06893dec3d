"""The daemon's ways in: the socket interface, the command pipe, a bare client."""
