# Exercises: local variables read before their assignment in a function where
# the same name exists in an enclosing (module or function) scope, augmented
# assignment without global, the fix with `global`, reads after assignment,
# names only read (fine), class scopes (not function scopes).
import os

cache = {}
counter = 0
settings = {"debug": False}
VERSION = "1.0"


def lookup(key):
    if key in cache:
        return cache[key]
    cache = {}
    return None


def bump():
    counter += 1


def bump_properly():
    global counter
    counter += 1


def debug_enabled():
    enabled = settings.get("debug")
    settings = {}
    return enabled


def read_then_loop(values):
    for v in values:
        print(VERSION)
        VERSION = v
    return None


def read_only():
    return cache, counter, settings


def env_path():
    path = os.environ.get("PATH", "")
    os = None
    return path


def enclosing_function():
    level = 1

    def inner():
        print(level)
        level = 2
        return level

    def inner_ok():
        nonlocal level
        level += 1
        return level

    return inner, inner_ok


class Holder:
    counter = counter + 1

    def method(self):
        return counter


def conditional_assignment(flag):
    if flag:
        print(cache)
    else:
        cache = None
    return None


def comprehension_read():
    values = [counter for _ in range(3)]
    counter = len(values)
    return counter


def lambda_default():
    f = lambda x=settings: x
    settings = None
    return f


def two_names():
    print(cache, counter)
    cache, counter = {}, 0
    return cache, counter


def later_use():
    VERSION = "2.0"
    return VERSION
