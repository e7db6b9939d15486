"""Imported by every Python process started with this folder on PYTHONPATH (the book build, its
papermill kernels, Sphinx): any attempt to reach a non-local host is refused and logged to the
file named by ``PFT_NETGUARD_LOG``, so a test can prove the book needs no network."""

import os
import socket

_LOG = os.environ.get("PFT_NETGUARD_LOG")
_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def _local(host) -> bool:
    host = str(host)
    return host in ("localhost", "::1", "", "0.0.0.0") or host.startswith("127.")


def _refuse(what: str):
    if _LOG:
        with open(_LOG, "a") as log:
            log.write(f"{os.getpid()} {what}\n")
    raise OSError(f"network blocked by tests/netguard: {what}")


def _guarded(original):
    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
            _refuse(f"connect {address[0]}:{address[1]}")
        return original(self, address)
    return connect


def getaddrinfo(host, *args, **kwargs):
    if host is not None and not _local(host.decode() if isinstance(host, bytes) else host):
        _refuse(f"resolve {host}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex = _guarded(_connect), _guarded(_connect_ex)
socket.getaddrinfo = getaddrinfo
