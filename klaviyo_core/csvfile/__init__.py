"""CSV from anything: encoding, delimiter and format sniffing, a streaming reader and raw blocks. No Klaviyo
knowledge lives here."""

from klaviyo_core.csvfile.reader import CsvReader, preview
from klaviyo_core.csvfile.sniff import Chunk, CsvError, CsvFormat, CsvHeader, detect_format

__all__ = [
    "Chunk",
    "CsvError",
    "CsvFormat",
    "CsvHeader",
    "CsvReader",
    "detect_format",
    "preview",
]
