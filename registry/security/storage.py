"""Where applicants' documents are written: readable by the portal's user only."""

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Files 0600 in folders 0700, whatever the process's umask (0022 by default, which wrote
    identity documents world-readable for any other account on the server)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)
