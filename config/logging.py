"""Structured (JSON) log lines with personal data redacted on the way out.

Code should never log personal data in the first place; this filter is the second line of
defence for what libraries log (e-mail addresses in mail errors, numbers in URLs)."""

import json
import logging
import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# DNI (8 digits), CE and CPP numbers, passports: any run of 7+ digits, optionally after letters.
DOCUMENT_NUMBER = re.compile(r"\b(?:[A-Z]{1,4}[- ]?)?\d{7,}\b")
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()) | {"message", "asctime"}


def redact(text: str) -> str:
    return DOCUMENT_NUMBER.sub("[number]", EMAIL.sub("[email]", text))


class RedactPersonalData(logging.Filter):
    def filter(self, record):
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)
