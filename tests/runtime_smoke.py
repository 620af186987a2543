"""Smoke run of every page with only the runtime requirements installed (what Streamlit Cloud has).

Run by `make cloud-check` in a virtualenv made from requirements.txt alone, so a dependency that
only the dev requirements provide is caught. Plain Python (no pytest, which is not a runtime
dependency); exits non-zero on any exception.
"""

import re
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    pages = re.findall(r'st\.Page\("pages/(\w+)\.py"', (ROOT / "dashboard.py").read_text())
    failures = 0
    for page in pages:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.switch_page(f"pages/{page}.py")
        at.run()
        problems = [e.value for e in at.exception]
        failures += bool(problems)
        print(f"{page:14s} {'FAILED ' + problems[0][:200] if problems else 'ok'}")
    print(f"{len(pages) - failures} passed, {failures} failed")
    return 1 if failures or not pages else 0


if __name__ == "__main__":
    sys.exit(main())
