"""Packages and package data (everything else is in pyproject.toml).

Here only because one mapping cannot be said in pyproject.toml alone: the repository's ``data/`` folder travels
inside the wheel as ``govsites/data/``, where ``govsites.paths`` finds it when govsites is installed with
``pip install .`` (run from a clone, it reads ``data/`` itself). Outputs and stores under ``data/`` stay out.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["govsites", "govsites.*", "scoring", "scoring.*"]), "govsites.data"],
    package_dir={"govsites.data": "data"},
    package_data={"govsites": ["demo/*.json"], "govsites.data": ["**/*"]},
    exclude_package_data={"govsites.data": ["output/**", "jobs/**", "*.sqlite", "*.sqlite-*", "*.lock"]},
)
