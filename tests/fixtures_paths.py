from pathlib import Path

TESTS = Path(__file__).parent
MINI_RULES = TESTS / "fixtures" / "mini_rules"
CASES = TESTS / "cases"
