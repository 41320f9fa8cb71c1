# Exercises: lambdas (parameters, closures, undefined names inside), default
# arguments evaluated in the enclosing scope at definition time, keyword-only
# defaults, annotations on parameters.
import operator
import re
from decimal import Decimal

PRECISION = 2
PATTERN = re.compile(r"\d+")

by_price = lambda item: item.price
by_missing = lambda item: item.weight * factor
compose = lambda f, g: lambda x: f(g(x))
numbers_in = lambda text: [int(m) for m in PATTERN.findall(text)]


def round_money(value: Decimal, places: int = PRECISION) -> Decimal:
    return value.quantize(Decimal(10) ** -places)


def sort_items(items, key=by_price, reverse=False):
    return sorted(items, key=key, reverse=reverse)


def scale(values, *, factor=SCALE_DEFAULT):
    return [v * factor for v in values]


def make_adder(n):
    return lambda x, step=n: x + step


def apply_all(funcs, value, combine=operator.add, start=ZERO):
    result = start
    for fn in funcs:
        result = combine(result, fn(value))
    return result


def sorter(field: str, descending: bool = False) -> "Callable[[Any], Any]":
    getter = operator.attrgetter(field)
    return lambda rows: sorted(rows, key=getter, reverse=descending)


def default_uses_later(x=LATER_DEFAULT):
    return x


LATER_DEFAULT = 5
callbacks = [lambda: i for i in range(3)]
handlers = {name: (lambda event, n=name: print(n, event)) for name in ("open", "close")}
