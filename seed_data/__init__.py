"""Data files only (cities, themes, demo data); see README.md here for formats and sources."""
from importlib.resources import files


def root():
    """The directory holding the seed files, wherever the package is installed."""
    return files(__name__)
