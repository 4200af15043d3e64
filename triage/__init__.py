"""Neck-pain triage questionnaire: red flags, self-care and a printable summary. Not a diagnosis."""

__version__ = "0.1.0"

import os as _os

# No third-party pydantic plugins: nothing outside this package may hook into how answers and rule
# files are validated. It also spares the scan of installed entry points at the first model, the
# largest single cost of start-up after the libraries themselves.
_os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
