"""Stored scripts: the language, the virtual machine, the commands."""
