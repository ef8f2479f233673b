"""Refuse Python < 3.12 before pip resolves any dependency.

The metadata is in pyproject.toml (``requires-python = ">=3.12"``), but pip 23 on Python 3.11
installing this folder reports only "Could not find a version that satisfies the requirement
mesa<4,>=3.5", which does not say the Python is too old. pip runs this file (to build the
package's metadata) under the Python it installs for, so it stops here with the cause.
"""

import platform
import sys

if sys.version_info < (3, 12):  # noqa: UP036 (this file runs on the Pythons it refuses)
    sys.exit(
        "error: abm-usmca-mining needs Python >= 3.12 (Mesa 3.5 does); this is Python "
        + platform.python_version()
        + ". Make a venv with python3.12 or newer, or run make (scripts/find_python.sh finds one)."
    )

from setuptools import setup

setup()
