"""Rule files in, a validated ``Ruleset`` out: the files, their models, conditions, the loader; tools over them.

May import only ``triage.errors`` and ``triage.fileio`` from the rest of the program.
"""
