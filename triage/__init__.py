"""Neck-pain triage questionnaire: red flags, self-care and a printable summary. Not a diagnosis."""

__version__ = "0.1.0"
