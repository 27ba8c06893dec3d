"""Smoke test of an installed pigpiod_py: the bundled library is the one
loaded, and a session against the built-in simulator works (commands,
events, a batch). Run from outside the source tree."""
import pigpiod_py
from pigpiod_py.simprocess import SimulatorProcess


def loaded_libraries():
    with open("/proc/self/maps") as maps:
        return sorted({line.split()[-1] for line in maps if "libpigpiod_if2" in line})


def main() -> None:
    with SimulatorProcess(control=False) as sim, \
            pigpiod_py.open(sim.host, sim.port, dispatch="manual") as pi:
        pi.callback(17, pigpiod_py.Edge.EITHER)
        pi.write(17, 1)
        assert pi.read(17) == 1 and pi.pigpio_version() == 79
        assert pi.pull(5).level == 1
        with pi.batch() as batch:
            batch.write(17, 0).read(17)
        assert batch.results == [None, 0]
    libs = loaded_libraries()
    assert libs, "libpigpiod_if2 is not loaded"
    print("smoke test passed with", libs[0])


if __name__ == "__main__":
    main()
