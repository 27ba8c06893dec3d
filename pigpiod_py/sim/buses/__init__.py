"""I2C, SPI, serial and BSC, hardware and bit-banged: handles and transfers."""
