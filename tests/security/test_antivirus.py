"""The clamd hook, against a local server speaking clamd's INSTREAM protocol and flagging the
EICAR test string as ClamAV does. A real clamd needs its signature database, which cannot be
downloaded on this machine; with CLAMD_ADDRESS set in the environment, the same tests run
against that real daemon."""

import os
import socket
import struct
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from registry.security import antivirus

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.server.getsockname()[1]}"
        self.commands = []

    def run(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                self.commands.append(command)
                body = b""
                while True:
                    size = struct.unpack("!L", self._read(conn, 4))[0]
                    if size == 0:
                        break
                    body += self._read(conn, size)
                found = EICAR in body
                conn.sendall(b"stream: Win.Test.EICAR_HDB-1 FOUND\0" if found else b"stream: OK\0")

    @staticmethod
    def _read(conn, n):
        data = b""
        while len(data) < n:
            data += conn.recv(n - len(data))
        return data

    def stop(self):
        self.server.close()


@pytest.fixture
def clamd(settings):
    real = os.environ.get("CLAMD_ADDRESS")
    if real:
        settings.CLAMD_ADDRESS = real
        yield None
        return
    server = FakeClamd()
    server.start()
    settings.CLAMD_ADDRESS = server.address
    yield server
    server.stop()


def test_eicar_is_refused(clamd):
    with pytest.raises(ValidationError) as error:
        antivirus.scan(SimpleUploadedFile("x.pdf", b"%PDF-1.4\n" + EICAR))
    assert error.value.code == "virus"
    if clamd:
        assert clamd.commands == [b"zINSTREAM\0"]


def test_clean_file_passes(clamd):
    antivirus.scan(SimpleUploadedFile("x.pdf", b"%PDF-1.4\n" + b"0" * 200_000))


def test_unreachable_daemon_fails_closed(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CLAMD_ADDRESS = f"127.0.0.1:{port}"
    with pytest.raises(ValidationError) as error:
        antivirus.scan(SimpleUploadedFile("x.pdf", b"%PDF-1.4\n"))
    assert error.value.code == "scan_unavailable"


def test_off_by_default(settings):
    settings.CLAMD_ADDRESS = ""
    antivirus.scan(SimpleUploadedFile("x.pdf", EICAR))
