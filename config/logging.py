"""Structured (JSON) log lines with personal data redacted on the way out.

Code should never log personal data in the first place; this filter is the second line of
defence for what libraries log (e-mail addresses in mail errors, numbers in URLs, the request
Django attaches to its 4xx and 5xx records, whose query string may hold an e-mail address or a
home's coordinates)."""

import json
import logging
import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Query strings are the visitor's input (searches, coordinates of "near me", e-mail addresses
# pasted into a search box): a log line needs the path, never the values.
QUERY = re.compile(r"\?[^\s'\"<>]+")
# Coordinates with the precision of a house (4+ decimals): a pin or a "near me" position.
COORDINATE = re.compile(r"(?<![\w.])-?\d{1,3}\.\d{4,}(?![\w.])")
# DNI (8 digits), CE and CPP numbers, passports: any run of 7+ digits, optionally after letters.
DOCUMENT_NUMBER = re.compile(r"\b(?:[A-Z]{1,4}[- ]?)?\d{7,}\b")
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()) | {"message", "asctime"}


def redact(text: str) -> str:
    text = QUERY.sub("?[query]", text)
    text = EMAIL.sub("[email]", text)
    text = COORDINATE.sub("[coordinate]", text)
    return DOCUMENT_NUMBER.sub("[number]", text)


def _request_line(request) -> str:
    method = getattr(request, "method", "") or ""
    path = getattr(request, "path", "") or ""
    query = "?[query]" if getattr(request, "META", {}).get("QUERY_STRING") else ""
    return redact(f"{method} {path}{query}")


class RedactPersonalData(logging.Filter):
    def filter(self, record):
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key in _STANDARD or value is None or isinstance(value, (bool, int, float)):
                continue
            if key == "request" and hasattr(value, "META"):
                # Django's request records carry the HttpRequest itself; the formatter would
                # write its repr, full path and query string included.
                setattr(record, key, _request_line(value))
            else:
                setattr(record, key, redact(value if isinstance(value, str) else str(value)))
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
