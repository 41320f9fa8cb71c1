# Exercises: class scope rules: class attributes visible to later class
# attributes and default arguments but not inside methods, lambdas in class
# bodies, comprehensions in class bodies, __class__, __module__, __qualname__.
import enum
import functools


class Color(enum.Enum):
    RED = 1
    GREEN = 2
    BLUE = 3
    DEFAULT = RED


class Retry:
    attempts = 3
    delay = 0.5
    total_wait = attempts * delay
    backoff = [delay * 2 ** i for i in range(attempts)]
    names = [str(attempts) for _ in range(2)]
    doubled = (lambda: attempts * 2)
    label = __qualname__ + " in " + __module__

    def __init__(self, attempts=attempts, delay=delay):
        self.attempts = attempts
        self.delay = delay

    def describe(self):
        return f"{attempts} attempts, {self.delay}s apart"

    def budget(self):
        return self.attempts * delay

    def __repr__(self):
        return f"{__class__.__name__}({self.attempts}, {self.delay})"

    @classmethod
    def aggressive(cls):
        return cls(attempts=10, delay=total_wait)

    @functools.cached_property
    def schedule(self):
        return [self.delay * n for n in range(self.attempts)]


class Base:
    registry = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        Base.registry[cls.__name__] = cls


class Child(Base):
    kind = "child"
    tags = {kind: 1}

    def info(self):
        return kind, self.tags, registry

    def parent_name(self):
        return super().__class__.__name__


def outside_method():
    return __class__


def module_of():
    return __module__
