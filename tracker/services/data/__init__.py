"""The record as a whole: the seed data, export and import of everything, exports for other
tools."""
