"""Command families that are not an area of their own: gpios, system, files, shell."""
