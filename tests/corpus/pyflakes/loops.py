# Exercises: loops: loop variables used after the loop, for/else, an import
# shadowed by a loop variable (a pyflakes message ripple does not share),
# nested loops with unused targets, comprehension variables vs loop
# variables, a loop target that is an attribute or subscript.
import os
import string
from itertools import product


def find_env(prefix):
    for key, value in os.environ.items():
        if key.startswith(prefix):
            break
    else:
        return None
    return key, value


def shadow_import(lines):
    for string in lines:
        print(string)
    return None


def grid(n):
    cells = []
    for row in range(n):
        for col in range(n):
            cells.append((row, col))
    return cells


def product_pairs(a, b):
    results = {}
    for x, y in product(a, b):
        results[x] = y
    for results["last"] in a:
        pass
    return results


def loop_with_index(items):
    for i, item in enumerate(items):
        if item is None:
            position = i
    return None


def loop_accumulate(items):
    total = 0
    for item in items:
        total = total + item
    average = total / len(items)
    return totl


def while_countdown(n):
    while n > 0:
        n -= 1
        remaining = n
    return n


class Counter:
    for letter in "abc":
        locals()[letter] = len(letter)
    del letter
