# Exercises: `from m import *` at module level: the star import itself, every
# name that may come from it (module level, in functions, in classes), names
# that are defined locally (not blamed on the star), two star imports.
from os import *
from math import *
import sys

BUFFER = 1024


def cwd_listing():
    return listdir(getcwd())


def hypotenuse(a, b):
    return sqrt(a * a + b * b)


def local_names(values):
    total = sum(values)
    return total / len(values), BUFFER, sys.argv


class Paths:
    home = environ.get("HOME")

    def join(self, *parts):
        return sep.join(parts)


print(pi, tau, platform_specific_value)
