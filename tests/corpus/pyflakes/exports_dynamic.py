# Exercises: __all__ that cannot be read statically (comprehension, call,
# concatenation with another module's __all__), __all__ inside a function
# (not an export list), and an __all__ referencing later definitions.
import string
import textwrap
from . import helpers
from .helpers import slugify, titlecase

__all__ = helpers.__all__ + ["wrap", "shorten", "Formatter"]


def wrap(text, width=70):
    return textwrap.wrap(text, width)


def shorten(text, width=40):
    return textwrap.shorten(text, width, placeholder="...")


def local_exports():
    __all__ = ["nothing"]
    return None


class Template(string.Template):
    delimiter = "%"
