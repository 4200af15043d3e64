"""Answers in, an ``Assessment`` out: answers files, the scale's rules and the advice, batch mode, coverage.

May import ``triage.engine``, ``triage.ruleset`` and the shared modules.
"""
