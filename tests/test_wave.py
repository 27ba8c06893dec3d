"""Waves and wave chains through the binding (simulator or a real pigpiod)."""
from __future__ import annotations

import time

import pytest

import pigpiod_py
from pigpiod_py.constants import Edge, Mode, WaveMode
from pigpiod_py.errors import PigpioError, PigpioTypeError, PigpioValueError
from pigpiod_py.wave import Chain, Delay, Forever, Loop, Pulse

GPIO = 25
MASK = 1 << GPIO
TEST_WAVE = [Pulse(MASK, 0, 10000), Pulse(0, MASK, 30000), Pulse(MASK, 0, 60000),
             Pulse(0, MASK, 100000)]


@pytest.fixture
def pi(daemon):
    with pigpiod_py.open(daemon.host, daemon.port, dispatch="manual") as session:
        session.wave_clear()
        session.set_mode(GPIO, Mode.OUTPUT)
        yield session
        session.wave_tx_stop()
        session.wave_clear()


def _falling(pi, seconds: float) -> int:
    counter = pi.callback(GPIO, Edge.FALLING)
    try:
        pi.sleep(seconds)
        return counter.tally()
    finally:
        counter.cancel()


def test_create_send_repeat_and_stop(pi):
    wave = pi.wave().add_pulses(TEST_WAVE).create()
    assert wave.id == 0
    assert wave.send_repeat() == 9          # 1 initial + 4 pulses + 4 delays
    assert pi.wave_tx_busy()
    assert pi.wave_tx_at() == 0
    pi.wave_tx_stop()
    assert not pi.wave_tx_busy()
    assert pi.wave_tx_at() is None
    wave.delete()
    assert wave.closed


def test_repeating_wave_edges(pi):
    counter = pi.callback(GPIO, Edge.FALLING)
    with pi.wave().add_pulses(TEST_WAVE).create() as wave:
        wave.send_repeat()
        pi.sleep(1.05)   # 200 ms period: 2 falling edges each
        pi.wave_tx_stop()
        pi.sleep(0.1)
    assert 9 <= counter.tally() <= 11
    counter.cancel()


def test_statistics_of_serial_text(pi):
    text = bytes(range(32, 127)) * 5 + b"x" * 81    # 556 characters
    builder = pi.wave().add_serial(GPIO, 4800, text, offset=5_000_000)
    wave = builder.create()
    assert pi.wave_micros().current == 5_000_000 + 556 * 2083
    assert pi.wave_micros().max == 1_800_000_000
    assert pi.wave_pulses().max == 12000
    assert wave.send_once() == pi.wave_cbs().current + 1
    pi.wave_tx_stop()


def test_pads_reuse_ids(pi):
    builder = pi.wave().add_pulses(TEST_WAVE)
    first = builder.create_and_pad(50)
    second = builder.create_and_pad(50)
    assert (first.id, second.id) == (0, 1)
    first.delete()
    with pytest.raises(PigpioError) as info:
        pi.wave().add_pulses(TEST_WAVE[:2]).create()
    assert info.value.name == "PI_TOO_MANY_CBS"
    assert builder.create_and_pad(50).id == 0


def test_sync_send_waits_for_the_pass(pi):
    slow = pi.wave().pulse_train(GPIO, 100_000, 100_000, 1).create()
    fast = pi.wave().pulse_train(GPIO, 1000, 1000, 5).create()
    slow.send_repeat()
    fast.send(WaveMode.ONE_SHOT_SYNC)
    assert pi.wave_tx_at() == slow.id
    pi.sleep(0.35)
    assert not pi.wave_tx_busy()


def test_chain_with_nested_loops(pi):
    w0 = pi.wave().pulse_train(GPIO, 500, 500, 1).create()
    w1 = pi.wave().pulse_train(GPIO, 500, 500, 2).create()
    chain = Chain(w1, Loop([w0, Loop([w1, Delay(1000)], count=3)], count=2), w0)
    assert bytes(chain) == bytes([1, 255, 0, 0, 255, 0, 1, 255, 2, 232, 3, 255, 1, 3, 0,
                                  255, 1, 2, 0, 0])
    counter = pi.callback(GPIO, Edge.FALLING)
    start = time.monotonic()
    pi.wave_chain(chain)
    while pi.wave_tx_busy() and time.monotonic() - start < 5:
        pi.sleep(0.01)
    pi.sleep(0.05)
    # w1: 2 falls; loop body: w0 (1) + 3 x w1 (6) = 7, twice = 14; w0: 1
    assert counter.tally() == 2 + 14 + 1
    counter.cancel()


def test_chain_forever_until_stopped(pi):
    w0 = pi.wave().pulse_train(GPIO, 1000, 1000, 1).create()
    pi.wave_chain(Chain(Forever([w0])))
    pi.sleep(0.05)
    assert pi.wave_tx_busy()
    pi.wave_tx_stop()
    assert not pi.wave_tx_busy()


def test_chain_limits_checked_before_sending():
    with pytest.raises(PigpioValueError) as info:
        Chain(Forever([0]), 1)
    assert info.value.name == "PI_BAD_FOREVER"
    with pytest.raises(PigpioValueError):
        Chain(Loop([], 2))
    with pytest.raises(PigpioValueError) as info:
        Chain(*[Loop([0], 2) for _ in range(21)])
    assert info.value.name == "PI_CHAIN_COUNTER"
    with pytest.raises(PigpioValueError) as info:
        Chain(*[0] * 600)
    assert info.value.name == "PI_CHAIN_TOO_BIG"
    nested: Loop = Loop([0], 2)
    for _ in range(10):
        nested = Loop([nested], 2)
    with pytest.raises(PigpioValueError) as info:
        Chain(nested)
    assert info.value.name == "PI_CHAIN_NESTING"
    assert bytes(Chain(Delay(70000))) == bytes([255, 2, 255, 255, 255, 2, 0x71, 0x11])


def test_daemon_refuses_bad_chain(pi):
    with pytest.raises(PigpioError) as info:
        pi.wave_chain(bytes([7]))
    assert info.value.name == "PI_BAD_WAVE_ID"


def test_bad_arguments_refused_before_sending(pi):
    builder = pi.wave()
    with pytest.raises(PigpioValueError):
        builder.add_serial(32, 9600, b"x")
    with pytest.raises(PigpioValueError):
        builder.add_serial(4, 9600, b"x", stop_bits=1.25)
    with pytest.raises(PigpioValueError):
        builder.add_serial(4, 9600, b"abc", data_bits=9)
    with pytest.raises(PigpioTypeError):
        builder.add_serial(4, 9600, "text")  # type: ignore[arg-type]
    with pytest.raises(PigpioTypeError):
        builder.add_pulses([(1, 2)])  # type: ignore[list-item]
    with pytest.raises(PigpioError) as info:
        pi.wave().create()
    assert info.value.name == "PI_EMPTY_WAVEFORM"


def test_large_pulse_lists_are_split(pi):
    pulses = [Pulse(MASK, 0, 10), Pulse(0, MASK, 10)] * 3000
    wave = pi.wave().add_pulses(pulses).create()
    assert pi.wave_pulses().current == 6000
    assert pi.wave_micros().current == 60000
    wave.delete()


def test_the_continuation_pulse_counts_toward_a_chunk(pi):
    """10922 pulses: the second chunk starts with a delay pulse continuing the
    time axis, and must still fit the 65535-byte extension (5461 pulses)."""
    pulses = [Pulse(MASK, 0, 10), Pulse(0, MASK, 10)] * 5461
    wave = pi.wave().add_pulses(pulses).create()
    assert pi.wave_pulses().current == 10922
    assert pi.wave_micros().current == 109220
    wave.delete()


def test_closing_the_session_deletes_its_waves(daemon):
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        session.wave_clear()
        wave = session.wave().add_pulses(TEST_WAVE).create()
    assert wave.closed
    with pigpiod_py.open(daemon.host, daemon.port) as session:
        assert session.wave().add_pulses(TEST_WAVE).create().id == 0
        session.wave_clear()
