# Exercises: decorators are evaluated at definition time in the enclosing
# scope (module-level names defined later are undefined there), decorator
# factories, class decorators, decorated redefinitions (still redefinitions),
# functools.singledispatch registrations.
import functools
import time
from contextlib import contextmanager

__all__ = ["timed", "retry", "stopwatch", "benchmark", "fib"]


def timed(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - start
    return wrapper


def retry(times=3):
    def decorate(fn):
        def wrapper(*args, **kwargs):
            for attempt in range(times):
                try:
                    return fn(*args, **kwargs)
                except Exception as error:
                    last = error
            raise last
        return wrapper
    return decorate


@timed
def compute(n):
    return sum(range(n))


@retry(times=MAX_RETRIES)
def fetch(url):
    return url


MAX_RETRIES = 5


@register_plugin("csv")
class CsvExporter:
    @staticmethod
    @timed
    def export(rows):
        return "\n".join(",".join(map(str, r)) for r in rows)


@functools.singledispatch
def render(value):
    return str(value)


@render.register
def _(value: int):
    return f"int:{value}"


@render.register
def _(value: list):
    return ", ".join(map(render, value))


@contextmanager
def stopwatch():
    start = time.monotonic()
    yield
    duration = time.monotonic() - start


@timed
def report():
    return "first"


@timed
def report():
    return "second"


@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def register_plugin(name):
    def decorate(cls):
        cls.plugin_name = name
        return cls
    return decorate
