"""Finished questionnaires and check-ins in → a local record out: history, pain trend, the course over days.

One SQLite file on this computer (``store``); nothing here sends anything anywhere. The record
stage sits between the report and the questionnaire: it may use assessments, rules and reports,
and the questionnaire uses it to keep a finished visit and to run a check-in.
"""
