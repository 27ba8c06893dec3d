"""Waveforms: the pool, chains, what a transmission puts on the latches, the commands."""
