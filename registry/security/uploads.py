"""Stop an oversized upload while it streams in, before it is written or read whole.

Django's handlers would spool a 2 GB body to a temporary file before any form could look at its
size. This handler counts bytes as they arrive and abandons the file past the limit; the view
then says why (request.upload_refused)."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class DocumentSizeLimitHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # The whole body says it is far over what any one document may weigh: refuse every file.
        if content_length and content_length > settings.REGISTRY_MAX_DOCUMENT_BYTES * 2:
            self.request.upload_refused = "too_large"

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        if getattr(self.request, "upload_refused", None):
            raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.REGISTRY_MAX_DOCUMENT_BYTES:
            self.request.upload_refused = "too_large"
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None
