"""One listening socket per worker process on the same port (SO_REUSEPORT).

uvicorn's ``--workers`` shares one listening socket between its processes; a worker woken by
new connections accepts all that are waiting, so a burst of keep-alive connections (a load
balancer's pool, a benchmark's) lands on one or two workers while the others idle. Measured on 2
workers with 16 connections: one worker at 100 % CPU, the other at 6-60 %. With a socket of
its own per worker (SO_REUSEPORT), the kernel spreads new connections across them by hash.

uvicorn's supervisor passes its sockets to each spawned worker by pickling them; ``PerWorker``
unpickles as a freshly bound socket, so every worker gets its own, while the supervisor keeps
restarts, health checks and signals as they are.
"""

from __future__ import annotations

import socket
from typing import Any

BACKLOG = 2048


def reuse_port_socket(host: str, port: int, *, listen: bool = True) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    if listen:
        sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


class PerWorker:
    """Stands for "a socket of this worker's own on host:port" in the supervisor.

    The supervisor holds a bound, non-listening socket: the port is taken (a second server
    fails at once) but no connection is queued where nobody accepts."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.reserved = reuse_port_socket(host, port, listen=False)

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        return reuse_port_socket, (self.host, self.port)

    def close(self) -> None:
        self.reserved.close()
