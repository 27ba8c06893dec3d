"""Benchmarks, measured side by side against one daemon (see ``toggle``)."""
