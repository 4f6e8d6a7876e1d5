"""CSV from anything: encoding, delimiter and format sniffing, a streaming reader and raw blocks, and the one
CSV writer every file the workbench writes goes through (formulas neutralised). No Klaviyo knowledge lives here."""

from klaviyo_core.csvfile.reader import CsvReader, preview
from klaviyo_core.csvfile.sniff import Chunk, CsvError, CsvFormat, CsvHeader, detect_format
from klaviyo_core.csvfile.write import csv_text, frame_csv

__all__ = [
    "Chunk",
    "CsvError",
    "CsvFormat",
    "CsvHeader",
    "CsvReader",
    "csv_text",
    "detect_format",
    "frame_csv",
    "preview",
]
