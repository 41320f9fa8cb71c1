# Exercises: `# noqa` comments: bare noqa silences everything on its line,
# `# noqa: F401` silences only the listed codes, codes in lower case, several
# codes, a noqa for the wrong code (still reported), noqa on the next line
# (no effect).
import abc  # noqa
import array  # noqa: F401
import ast  # noqa:F401
import asyncio  # NOQA:F401
import atexit  # noqa: F811
import base64  # noqa: E501
import bisect, calendar  # noqa: F401,F811
import cmath
# noqa: F401
import codeop

from decimal import Decimal  # noqa: F401
from fractions import Fraction


def compute(value):
    result = value * 2  # noqa: F841
    unused_too = value  # noqa
    another = value  # noqa: E731
    return undefined_helper(value)  # noqa: F821


def compute_more(value):
    return missing_helper(value)  # noqa: F401


def fraction_of(a, b):
    return Fraction(a, b)
