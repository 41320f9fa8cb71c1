# Exercises: a subpackage __init__ that re-exports a submodule's names through
# a star import and lists them in __all__ (star usage in __all__), plus an
# explicit import that is only re-exported.
from .text import *
from .numbers import clamp

__all__ = ["slugify", "truncate", "clamp", "percent"]
