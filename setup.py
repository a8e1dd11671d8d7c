# Metadata lives in pyproject.toml. This file exists because scrapyd-deploy builds eggs with
# `setup.py bdist_egg` (and would otherwise write a setup.py of its own without our package data).
from setuptools import setup

setup()
