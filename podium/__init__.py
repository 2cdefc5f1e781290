"""podium: declarative benchmarks for machine-learning-engineering agents."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("podium")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
