"""Optional virus scan of uploads by a ClamAV daemon (clamd), off unless CLAMD_ADDRESS is set.

Speaks clamd's INSTREAM command directly (a few lines of socket code) rather than adding a
client library: the protocol is small, stable and documented in clamd(8). When configured, an
unreachable daemon refuses the upload: staff open these files, so we fail closed.
"""

import socket
import struct

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHUNK = 64 * 1024


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address)
        return sock
    host, _sep, port = address.rpartition(":")
    return socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout)


def scan(uploaded) -> None:
    address = getattr(settings, "CLAMD_ADDRESS", "")
    if not address:
        return
    try:
        with _connect(address, settings.CLAMD_TIMEOUT) as sock:
            sock.sendall(b"zINSTREAM\0")
            uploaded.seek(0)
            while chunk := uploaded.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
    except OSError as error:
        raise ValidationError(
            _("The file could not be checked for viruses right now. Please try again in a few minutes."),
            code="scan_unavailable",
        ) from error
    finally:
        uploaded.seek(0)
    answer = reply.rstrip(b"\0").decode(errors="replace")
    if answer.endswith("FOUND"):
        raise ValidationError(_("The file contains a virus and was refused."), code="virus")
    if not answer.endswith("OK"):
        raise ValidationError(
            _("The file could not be checked for viruses right now. Please try again in a few minutes."),
            code="scan_unavailable",
        )
