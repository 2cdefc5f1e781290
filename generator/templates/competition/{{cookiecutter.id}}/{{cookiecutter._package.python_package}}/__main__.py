"""The package's console script; all logic lives in podium.runtime.package."""

import sys
from pathlib import Path

from podium.runtime.package import main as run_package


def main() -> None:
    sys.exit(run_package(Path(__file__).with_name("spec.json")))


if __name__ == "__main__":
    main()
