# Exercises: numeric helpers; an import used only inside a default argument,
# a local read before assignment, and a percent helper referencing an
# undefined rounding constant.
import math
import sys


def clamp(value, low=-math.inf, high=math.inf):
    return max(low, min(high, value))


def percent(part, whole):
    if whole == 0:
        return 0.0
    return round(100.0 * part / whole, ROUNDING)


def safe_int(text, default=0):
    try:
        return int(text)
    except ValueError as problem:
        return default


def epsilon():
    return sys.float_info.epsilon


def accumulate(values):
    for v in values:
        running = running + v
    running = 0
    return running
