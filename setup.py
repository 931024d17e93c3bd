"""Package discovery for the one thing pyproject.toml can't say: the folder site/ installs as
mortgage_connect (docs/architecture.md), and setuptools' automatic discovery can't rename a
folder. So every package under site/ is found here rather than listed by hand, and a new
feature package is never left out of a plain (non-editable) install."""

from setuptools import find_packages
from setuptools import setup

setup(packages=["mortgage_connect", *(f"mortgage_connect.{p}" for p in find_packages("site"))])
