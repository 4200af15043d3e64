"""A ``Ruleset``'s findings in, durable-rules rulesets out; answers in, the names of the rules that fired out.

The only package that imports durable-rules. May import ``triage.ruleset`` and the shared modules.
"""
