"""PWM and servo pulses: software PWM, hardware PWM and clocks, their commands."""
