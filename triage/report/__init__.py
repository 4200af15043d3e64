"""An ``Assessment`` in, what people read out: terminal text and JSON, the summary in text, Markdown, HTML, PDF, FHIR.

May import ``triage.assessment``, ``triage.ruleset`` and the shared modules (not the engine).
"""
