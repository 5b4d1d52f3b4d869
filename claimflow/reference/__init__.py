"""Reference tables shipped with claimflow (see README.md in this folder)."""

from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent
SYNTHEA_DIR = REFERENCE_DIR / "synthea"
CROSSWALK_DIR = REFERENCE_DIR / "crosswalk"
