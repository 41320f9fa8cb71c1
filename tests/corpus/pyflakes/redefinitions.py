# Exercises: redefinition of unused names: imports redefined by imports, by
# defs and by assignments, functions redefined by later defs, methods redefined
# in a class, property setters (not redefinitions), typing.overload, `_`,
# if/else and try/except branches (not redefinitions).
import os
import sys
import json
import time
import pickle
from datetime import datetime
from datetime import datetime
from functools import wraps
from typing import overload, Union
import typing

import logging
logging = logging.getLogger(__name__)

from pickle import dumps


def dumps(obj):
    return pickle.dumps(obj)


def helper():
    return 1


def helper():
    return 2


def timestamp():
    return time.time()


time = None


def platform_name():
    return sys.platform


if sys.platform == "win32":
    def home():
        return os.environ["USERPROFILE"]
else:
    def home():
        return os.environ["HOME"]


def tmpdir():
    return "/tmp"


if os.environ.get("TMPDIR"):
    def tmpdir():
        return os.environ["TMPDIR"]


class Temperature:
    def __init__(self, celsius):
        self._celsius = celsius

    @property
    def celsius(self):
        return self._celsius

    @celsius.setter
    def celsius(self, value):
        self._celsius = value

    def fahrenheit(self):
        return self._celsius * 9 / 5 + 32

    def fahrenheit(self):
        return self.celsius * 1.8 + 32

    def kelvin(self):
        return self._celsius + 273.15

    kelvin = property(kelvin)


@overload
def parse(value: str) -> int: ...
@overload
def parse(value: bytes) -> int: ...
def parse(value: Union[str, bytes]) -> int:
    return int(value)


@typing.overload
def scale(value: int) -> int: ...
@typing.overload
def scale(value: float) -> float: ...
def scale(value):
    return value * 2


def traced(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def _(): pass
def _(): pass


def shadow_json():
    json = {"local": True}
    return json


def nested_shadow():
    import json

    def json():
        return None
    return json


class Settings:
    debug = False
    debug = True

    def reload(self):
        pass

    reload = None
