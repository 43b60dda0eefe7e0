"""The Unix socket between the runner and a warm grader: binding it privately, connecting, peers.

No torch here. The socket file is created with mode 0600 (umask 0177 while binding, then chmod),
and both ends check that the process on the other side runs as the same user (SO_PEERCRED), so
no other user can hand a file to our grader or answer in its place.
"""

from __future__ import annotations

import os
import socket
import stat
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# sun_path holds 108 bytes on Linux; a longer path is reached through a descriptor of its folder.
_SUN_PATH_MAX = 100


@contextmanager
def _address(path: Path) -> Iterator[str]:
    if len(os.fsencode(path)) < _SUN_PATH_MAX:
        yield str(path)
        return
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{folder}/{path.name}"
    finally:
        os.close(folder)


def listen(path: Path) -> socket.socket:
    """A listening socket at ``path``, mode 0600, replacing whatever socket file was there."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path.unlink(missing_ok=True)
    previous = os.umask(0o177)
    try:
        with _address(path) as address:
            listener.bind(address)
    finally:
        os.umask(previous)
    os.chmod(path, 0o600)
    listener.listen(64)
    return listener


def private_socket(path: Path) -> bool:
    """True when ``path`` is a socket owned by this user that nobody else may open."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    return stat.S_ISSOCK(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077


def connect(path: Path, timeout: float) -> socket.socket:
    """A connection to the grader listening at ``path`` (OSError when none listens there)."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(timeout)
    try:
        with _address(path) as address:
            client.connect(address)
    except OSError:
        client.close()
        raise
    return client


def peer(connection: socket.socket) -> tuple[int, int, int]:
    """(pid, uid, gid) of the process at the other end; for a client, the listener's."""
    raw = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, gid = struct.unpack("3i", raw)
    return pid, uid, gid
