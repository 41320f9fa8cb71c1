# Exercises: a star import whose names are never needed (the star import is
# then also an unused import), next to a used explicit import.
from string import *
from textwrap import dedent


def banner(text):
    return dedent(text).strip().upper()
