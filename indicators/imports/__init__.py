"""Commune statistics from Excel: file safety, reading, row rules and the two-step import."""
