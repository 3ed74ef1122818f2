"""Data files of the miner: the traditional→simplified table, the domain dictionary, stopwords and places.

A package only so that setuptools ships its ``*.txt`` with the wheel (pyproject.toml's package-data).
"""
