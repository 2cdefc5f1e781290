"""Fixtures for the runtime tests: the small world of runtime_world.py, built once per session."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from runtime_world import World, build_world


@pytest.fixture(scope="session")
def host_listener() -> Iterator[socket.socket]:
    """A TCP server on the host's loopback: an agent in the sandbox must not reach it."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    yield server
    server.close()


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory, host_listener: socket.socket) -> World:
    return build_world(tmp_path_factory.mktemp("world"), host_listener.getsockname()[1])
