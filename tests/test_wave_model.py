"""The public model of a wave: its parts and the pulses pigpiod makes of them."""
from __future__ import annotations

import pigpiod_py
from pigpiod_py.wave import Pulse, WaveBuilder, gpio_mask
from pigpiod_py.wave_model import GenericPart, SerialPart, WaveModel, merge, serial_pulses


def test_an_empty_model_has_no_pulses():
    assert WaveModel().pulses() == []
    assert WaveModel().micros() == 0


def test_parts_merge_in_the_order_added():
    square = (Pulse(1, 0, 50), Pulse(0, 1, 50))
    serial = SerialPart(gpio=4, baud=50_000, data_bits=8, stop_half_bits=2, offset=30, data=b"U")
    model = WaveModel((GenericPart(square), serial))
    assert serial.as_pulses() == serial_pulses(4, 50_000, 8, 2, 30, b"U")
    assert model.pulses() == merge(list(square), serial.as_pulses())
    # the idle-high pulse joins the first one, which splits at the start bit
    assert model.pulses()[:2] == [(1 | 1 << 4, 0, 30), (0, 1 << 4, 20)]
    assert model.micros() == 230


def test_a_builder_shows_its_parts_without_a_daemon():
    builder = WaveBuilder(session=None)  # model() sends nothing
    builder.pulse_train(18, 10, 20, 2).add_serial(23, 9600, b"ab", stop_bits=1.5, offset=7)
    mask = gpio_mask([18])
    assert builder.model().parts == (
        GenericPart((Pulse(mask, 0, 10), Pulse(0, mask, 20)) * 2),
        SerialPart(23, 9600, 8, 3, 7, b"ab"))


def test_the_model_is_the_wave_the_daemon_builds(daemon):
    pulses = [Pulse(1 << 25, 0, 7), Pulse(0, 1 << 25, 5)] * 5600   # three WVAG commands
    with pigpiod_py.open(daemon.host, daemon.port) as pi:
        pi.wave_clear()
        builder = pi.wave().add_pulses(pulses).add_serial(24, 20_000, b"pigpio" * 20, offset=11)
        model = builder.model()
        wave = builder.create()
        assert len(model.pulses()) == pi.wave_pulses().current
        assert model.micros() == pi.wave_micros().current
        wave.delete()
