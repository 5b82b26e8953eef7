"""Language-level helpers: normalisation of Persian/Arabic text, dates and calendars."""
