"""Data exchange: streaming readers for CSV / XLSX, column specifications and per-kind importers."""
