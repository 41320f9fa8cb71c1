# Exercises: __all__ in a module that also uses `from m import *`: undefined
# exports are blamed on the star import instead of being reported as missing.
from os.path import *
from stat import S_ISDIR, S_ISREG

__all__ = ["is_directory", "isfile", "getsize", "S_ISDIR", "walk_files"]


def is_directory(mode):
    return S_ISDIR(mode)
