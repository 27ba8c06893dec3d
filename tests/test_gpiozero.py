"""The gpiozero pin factory, with gpiozero's own devices."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

gpiozero = pytest.importorskip("gpiozero")
from gpiozero import LED, MCP3202, PWMLED, Button  # noqa: E402

from pigpiod_py.gpiozero_pins import PigpiodPyFactory  # noqa: E402


@pytest.fixture
def factory(daemon):
    f = PigpiodPyFactory(daemon.host, daemon.port)
    yield f
    f.close()


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)
    return predicate()


def test_led(factory):
    led = LED(17, pin_factory=factory)
    led.on()
    assert factory.session.read(17) == 1 and led.is_lit
    led.off()
    assert factory.session.read(17) == 0
    led.close()


def test_button_presses_reach_gpiozero_callbacks(factory, sim):
    button = Button(22, pin_factory=factory, bounce_time=None)  # pull-up
    pressed = []
    button.when_pressed = lambda: pressed.append(time.monotonic())
    assert not button.is_pressed
    sim.control.drive(22, 0)
    assert wait_until(lambda: pressed)
    assert button.is_pressed
    sim.control.drive(22, 1)
    assert wait_until(lambda: not button.is_pressed)
    button.close()
    sim.control.drive(22, None)


def test_pwm_led(factory):
    led = PWMLED(18, pin_factory=factory, frequency=1000)
    led.value = 0.25
    assert factory.session.get_pwm_dutycycle(18) == 2500
    assert factory.session.get_pwm_frequency(18) == 1000
    assert led.value == pytest.approx(0.25)
    led.close()


def test_hardware_spi_reaches_the_simulated_adc(factory, sim):
    sim.control.spi_set_input("main1", 0, 1.65)
    adc = MCP3202(channel=0, device=1, pin_factory=factory)
    assert adc.value == pytest.approx(0.5, abs=0.01)
    adc.close()


def test_factory_is_selected_by_environment(daemon):
    env = {**os.environ, "GPIOZERO_PIN_FACTORY": "pigpiod_py",
           "PIGPIO_ADDR": daemon.host, "PIGPIO_PORT": str(daemon.port)}
    out = subprocess.run([sys.executable, "-c", "from gpiozero import Device, LED; LED(17).on(); "
                          "print(type(Device.pin_factory).__name__)"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "PigpiodPyFactory"
