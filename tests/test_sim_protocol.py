"""The socket protocol of the simulator: framing, echoes, pipelining, limits."""
from __future__ import annotations

import select
import socket
import struct
import time

import pytest

from pigpiod_py import protocol
from pigpiod_py.constants import Command, ErrorCode
from pigpiod_py.sim import Simulator
from pigpiod_py.sim.interfaces.client import RESPONSE, RawClient, request
from pigpiod_py.sim.command_table import CommandTable, unknown_command


@pytest.fixture
def pi(daemon):
    with RawClient(daemon.host, daemon.port) as client:
        yield client


def responses(client: RawClient, count: int):
    return [client.response() for _ in range(count)]


def test_response_echoes_cmd_p1_p2_and_signed_result(pi):
    pi.send(request(Command.WRITE, 99, 5))
    assert pi.response() == (Command.WRITE, 99, 5, ErrorCode.BAD_GPIO)
    pi.send(request(Command.WRITE, 17, 1))
    assert pi.response() == (Command.WRITE, 17, 1, 0)


def test_several_commands_in_one_send_answer_in_order(pi):
    pi.send(request(Command.WRITE, 17, 1) + request(Command.READ, 17)
            + request(Command.WRITE, 17, 0) + request(Command.READ, 17)
            + request(Command.MODEG, 17) + request(Command.PIGPV))
    assert [r[3] for r in responses(pi, 6)] == [0, 1, 0, 0, 1, 79]


def test_header_split_byte_by_byte(pi):
    for byte in request(Command.WRITE, 22, 1) + request(Command.READ, 22):
        pi.send(bytes([byte]))
        time.sleep(0.0005)
    assert [r[3] for r in responses(pi, 2)] == [0, 1]


def test_extension_arrives_in_a_later_send(pi):
    data = request(Command.CF2, 0, 100, b"abcdef")
    pi.send(data[:16])
    time.sleep(0.01)
    pi.send(data[16:19])
    time.sleep(0.01)
    pi.send(data[19:] + request(Command.PIGPV))
    assert pi.response()[3] == 6
    assert pi.recv_exact(6) == b"fedcba"
    assert pi.response()[3] == 79


def test_extension_on_a_command_that_ignores_it_is_consumed(pi):
    pi.send(request(Command.WRITE, 17, 1, b"\x01\x02\x03") + request(Command.READ, 17))
    assert [r[3] for r in responses(pi, 2)] == [0, 1]


def test_huge_extension_closes_only_that_connection(daemon, pi):
    with RawClient(daemon.host, daemon.port) as other:
        pi.send(request(Command.PIGPV) + struct.pack("<4I", Command.WRITE, 17, 1, 65536))
        assert pi.response()[3] == 79  # answered before the bad header
        assert pi.sock.recv(16) == b""  # then closed without an answer
        assert other.command(Command.PIGPV) == 79
    with RawClient(daemon.host, daemon.port) as fresh:
        assert fresh.command(Command.PIGPV) == 79


def test_extension_of_65535_bytes_is_accepted(pi):
    payload = bytes(i % 251 for i in range(65535))
    assert pi.command_data(Command.CF2, 0, 65535, payload) == (65535, payload[::-1])


@pytest.mark.parametrize("cmd", [48, 119, 120, 200, 255, 256, 799, 800, 0xFFFFFFFF])
def test_unknown_commands(pi, cmd):
    pi.send(struct.pack("<4I", cmd, 1, 2, 0))
    assert pi.response() == (cmd, 1, 2, ErrorCode.UNKNOWN_COMMAND)


@pytest.mark.parametrize("cmd", [Command.WVGO, Command.WVGOR])
def test_removed_wave_commands_are_deprecated(pi, cmd):
    assert pi.command(cmd) == ErrorCode.DEPRECATED


def test_help_returns_zero(pi):
    assert pi.command(Command.HELP) == 0


def test_unsigned_results_keep_bit_31(sim, pi):
    sim.control.drive(31, 1)
    pi.send(request(Command.BR1))
    raw = pi.recv_exact(16)
    assert struct.unpack("<4I", raw)[3] & 0x80000000
    assert RESPONSE.unpack(raw)[3] < 0  # the same bits read as signed


def test_data_command_with_no_data_sends_only_the_header(pi):
    pi.send(request(Command.CF2, 0, 0, b"abc") + request(Command.PIGPV))
    assert pi.response() == (Command.CF2, 0, 0, 0)
    assert pi.response()[3] == 79


def test_noib_socket_keeps_accepting_commands(daemon, pi):
    pi.command(Command.BR1)  # as pigpio.py does before NOIB
    handle = pi.command(Command.NOIB)
    assert 0 <= handle < 32
    assert pi.command(Command.PIGPV) == 79
    assert pi.command(Command.NC, handle) == 0


def test_pipelined_burst_larger_than_one_receive(pi):
    count = 20000
    burst = b"".join(request(Command.WRITE, 17, i & 1) for i in range(count))
    pi.send(burst + request(Command.READ, 17))
    results = [r[3] for r in responses(pi, count + 1)]
    assert results[:-1] == [0] * count and results[-1] == 1


def test_slow_command_blocks_only_its_own_connection(daemon, pi):
    with RawClient(daemon.host, daemon.port) as other:
        pi.send(request(Command.MILS, 60000))
        assert other.command(Command.PIGPV) == 79
        assert other.command(Command.WRITE, 17, 1) == 0
        readable, _, _ = select.select([pi.sock], [], [], 0)
        assert not readable


def test_connection_closed_mid_request_leaves_daemon_running(daemon):
    sock = socket.create_connection((daemon.host, daemon.port))
    sock.sendall(struct.pack("<4I", Command.CF2, 0, 10, 8) + b"abc")
    sock.close()
    with RawClient(daemon.host, daemon.port) as client:
        assert client.command(Command.PIGPV) == 79


def test_the_command_table_refuses_a_second_handler_for_a_number():
    table = CommandTable()
    table.register("GpioCommands", {Command.WRITE: lambda p1, p2, ext: 0})
    with pytest.raises(ValueError, match="WRITE is GpioCommands's already"):
        table.register("Other", {Command.WRITE: lambda p1, p2, ext: 1})
    assert table.run(Command.WRITE, 0, 0, b"") == 0
    assert table.run(Command.NOIB, 0, 0, b"") == ErrorCode.UNKNOWN_COMMAND  # the socket's own
    assert table.run(300, 0, 0, b"") == ErrorCode.UNKNOWN_COMMAND


def test_every_family_registers_its_own_commands():
    daemon = Simulator().daemon
    try:
        handlers = daemon.table.handlers
        assert handlers[Command.EVT] == daemon.notifier.trigger_event  # nobody wraps it
        assert handlers[Command.NOIB] is unknown_command
    finally:
        daemon.stop()


def test_the_framing_module():
    assert protocol.request(Command.WRITE, 17, -1) == struct.pack("<4I", 4, 17, 2**32 - 1, 0)
    assert protocol.request(Command.CF2, 0, 5, b"ab")[12:] == b"\x02\0\0\0ab"
    assert protocol.RESPONSE.unpack(protocol.response(4, 17, 1, -2)) == (4, 17, 1, -2)
    assert protocol.answer(Command.CF2, 0, 5, b"ba") == struct.pack("<4I", 88, 0, 5, 2) + b"ba"
    assert protocol.answer(Command.TICK, 0, 0, 2**32 - 1)[12:] == b"\xff" * 4
    assert protocol.RECORD.size == 12 and protocol.MAX_EXTENSION == 65536
