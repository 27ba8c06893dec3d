"""A gpiozero pin factory backed by pigpiod_py.

Select it with ``GPIOZERO_PIN_FACTORY=pigpiod_py`` (the package registers it
in gpiozero's ``gpiozero_pin_factories`` entry-point group) or directly::

    from gpiozero import LED
    from pigpiod_py.gpiozero_pins import PigpiodPyFactory
    led = LED(17, pin_factory=PigpiodPyFactory(host="raspberrypi.local"))

Pins, software PWM, edge detection through this binding's callbacks (in a
dispatcher thread) and hardware SPI; the daemon address defaults to
``PIGPIO_ADDR`` / ``PIGPIO_PORT``. Needs the optional ``gpiozero`` package.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from gpiozero.exc import (  # type: ignore[import-untyped]
    PinFixedPull,
    PinInvalidFunction,
    PinInvalidPull,
    PinInvalidState,
    PinSetInput,
)
from gpiozero.pins import SPI  # type: ignore[import-untyped]
from gpiozero.pins.pi import PiFactory, PiPin, spi_port_device  # type: ignore[import-untyped]
from gpiozero.pins.spi import SPISoftware  # type: ignore[import-untyped]

from .constants import Edge, Mode, Pull
from .errors import PigpioError
from .events import Callback
from .session import Session
from .session import open as open_session
from .spi import SpiFlags
from .ticks import tick_diff

FUNCTIONS: Dict[str, Mode] = {
    "input": Mode.INPUT, "output": Mode.OUTPUT, "alt0": Mode.ALT0, "alt1": Mode.ALT1,
    "alt2": Mode.ALT2, "alt3": Mode.ALT3, "alt4": Mode.ALT4, "alt5": Mode.ALT5,
}
PULLS: Dict[str, Pull] = {"up": Pull.UP, "down": Pull.DOWN, "floating": Pull.OFF}
EDGES: Dict[str, Optional[Edge]] = {
    "both": Edge.EITHER, "rising": Edge.RISING, "falling": Edge.FALLING, "none": None}
#: PWM steps gpiozero's 0.0-1.0 values are scaled to.
PWM_RANGE = 10000


class PigpiodPyFactory(PiFactory):  # type: ignore[misc]
    """gpiozero pin factory talking to a pigpio daemon through pigpiod_py."""

    def __init__(self, host: Optional[str] = None, port: Optional[int] = None) -> None:
        super().__init__()
        self._session: Session = open_session(host, port, dispatch="thread")
        self.pin_class = PigpiodPyPin

    @property
    def session(self) -> Session:
        """The pigpiod_py session the pins use."""
        return self._session

    @property
    def host(self) -> str:
        """The daemon's host name or address."""
        return self._session.host

    @property
    def port(self) -> int:
        """The daemon's port."""
        return self._session.port

    def close(self) -> None:
        """Close the factory (its pins) and the session."""
        super().close()
        self._session.close()

    def _get_revision(self) -> int:
        return self._session.hardware_revision()

    def _get_spi_class(self, shared: bool, hardware: bool) -> Any:
        return PigpiodPyHardwareSPI if hardware else SPISoftware  # software: bit-banged by gpiozero

    def ticks(self) -> int:
        """The daemon's current tick (µs, wrapping at 2**32)."""
        return self._session.tick()

    @staticmethod
    def ticks_diff(later: int, earlier: int) -> float:
        """Seconds from tick ``earlier`` to tick ``later`` (allowing for wrap-around)."""
        return tick_diff(earlier, later) / 1e6


class PigpiodPyPin(PiPin):  # type: ignore[misc]
    """One gpio of a :class:`PigpiodPyFactory`."""

    def __init__(self, factory: PigpiodPyFactory, info: Any) -> None:
        super().__init__(factory, info)
        self._session = factory.session
        self._gpio = int(info.name[4:])
        self._pull = info.pull or "floating"
        self._frequency: Optional[int] = None
        self._bounce: Optional[float] = None
        self._edges = "both"
        self._callback: Optional[Callback] = None
        self._session.set_mode(self._gpio, Mode.INPUT)
        self._session.set_pull(self._gpio, PULLS[self._pull])

    def close(self) -> None:
        """Back to a plain input with its default pull; no PWM, no callback."""
        self.frequency = None
        self.when_changed = None
        self.function = "input"
        self.pull = self._info.pull or "floating"

    def _get_function(self) -> str:
        mode = self._session.get_mode(self._gpio)
        return next(name for name, value in FUNCTIONS.items() if value == mode)

    def _set_function(self, value: str) -> None:
        if value not in FUNCTIONS:
            raise PinInvalidFunction(f"invalid function {value!r} for pin {self!r}")
        if value != "input":
            self._pull = "floating"
        self._session.set_mode(self._gpio, FUNCTIONS[value])

    def _get_state(self) -> float:
        if self._frequency:
            return self._session.get_pwm_dutycycle(self._gpio) / PWM_RANGE
        return float(self._session.read(self._gpio))

    def _set_state(self, value: float) -> None:
        if self._frequency:
            if not 0 <= value <= 1:
                raise PinInvalidState(f"invalid state {value!r} for pin {self!r}")
            self._session.set_pwm_dutycycle(self._gpio, int(value * PWM_RANGE))
        elif self._get_function() == "input":
            raise PinSetInput(f"cannot set state of pin {self!r}")
        else:
            self._session.write(self._gpio, 1 if value else 0)

    def _get_pull(self) -> str:
        return self._pull

    def _set_pull(self, value: str) -> None:
        if self._get_function() != "input":
            raise PinFixedPull(f"cannot set pull on non-input pin {self!r}")
        if value != "up" and self._info.pull == "up":
            raise PinFixedPull(f"{self!r} has a physical pull-up resistor")
        if value not in PULLS:
            raise PinInvalidPull(f"invalid pull {value!r} for pin {self!r}")
        self._session.set_pull(self._gpio, PULLS[value])
        self._pull = value

    def _get_frequency(self) -> Optional[int]:
        return self._frequency

    def _set_frequency(self, value: Optional[float]) -> None:
        if value is None:
            if self._frequency:
                self._session.set_pwm_dutycycle(self._gpio, 0)
            self._frequency = None
            return
        self._session.set_pwm_range(self._gpio, PWM_RANGE)
        self._frequency = self._session.set_pwm_frequency(self._gpio, int(value))
        if self._session.get_mode(self._gpio) != Mode.OUTPUT:
            self._session.set_pwm_dutycycle(self._gpio, 0)

    def _get_bounce(self) -> Optional[float]:
        return self._bounce

    def _set_bounce(self, value: Optional[float]) -> None:
        steady = 0 if value is None else int(value * 1e6)
        self._session.set_glitch_filter(self._gpio, steady)
        self._bounce = value

    def _get_edges(self) -> str:
        return self._edges

    def _set_edges(self, value: str) -> None:
        if value not in EDGES:
            raise PinInvalidState(f"invalid edges {value!r} for pin {self!r}")
        watching = self._callback is not None
        if watching:
            self._disable_event_detect()
        self._edges = value
        if watching:
            self._enable_event_detect()

    def _enable_event_detect(self) -> None:
        edge = EDGES[self._edges]
        if edge is not None:
            self._callback = self._session.callback(self._gpio, edge, self._changed)

    def _disable_event_detect(self) -> None:
        if self._callback is not None:
            self._callback.cancel()
            self._callback = None

    def _changed(self, gpio: int, level: int, tick: int) -> None:
        if level in (0, 1):  # not a watchdog time-out
            self._call_when_changed(tick, level)


class PigpiodPyHardwareSPI(SPI):  # type: ignore[misc]
    """The Pi's SPI peripheral through the daemon (``spi_open``/``spi_xfer``)."""

    def __init__(self, clock_pin: int, mosi_pin: int, miso_pin: int, select_pin: int,
                 pin_factory: PigpiodPyFactory) -> None:
        port, device = spi_port_device(clock_pin, mosi_pin, miso_pin, select_pin)
        self._device_args = (device, port == 1)
        self._mode = 0
        self._select_high = False
        self._rate = 500000
        self._spi: Any = None
        super().__init__(pin_factory=pin_factory)
        self.pin_factory.reserve_pins(self, *{p for p in (clock_pin, mosi_pin, miso_pin,
                                                          select_pin) if p is not None})
        self._reopen()

    def _reopen(self) -> None:
        if self._spi is not None:
            self._spi.close()
        device, aux = self._device_args
        flags = SpiFlags(mode=self._mode, aux=aux,
                         active_high=(device,) if self._select_high else ())
        self._spi = self.pin_factory.session.open_spi(device, self._rate, flags)

    def close(self) -> None:
        """Close the SPI handle and release its pins."""
        if self._spi is not None:
            self._spi.close()
            self._spi = None
        self.pin_factory.release_all(self)
        super().close()

    @property
    def closed(self) -> bool:
        """True once closed."""
        return self._spi is None

    def transfer(self, data: List[int]) -> List[int]:
        """Send ``data`` and return the bytes read meanwhile (daemon errors raise OSError)."""
        try:
            return list(self._spi.xfer(bytes(data)))
        except PigpioError as exc:
            raise OSError(str(exc)) from exc

    def _get_clock_mode(self) -> int:
        return self._mode

    def _set_clock_mode(self, value: int) -> None:
        self._mode = value
        self._reopen()

    def _get_select_high(self) -> bool:
        return self._select_high

    def _set_select_high(self, value: bool) -> None:
        self._select_high = bool(value)
        self._reopen()

    def _get_rate(self) -> int:
        return self._rate

    def _set_rate(self, value: int) -> None:
        self._rate = int(value)
        self._reopen()
