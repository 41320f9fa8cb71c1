# Exercises: try/except ImportError fallbacks (not redefinitions), fallbacks
# that are redefinitions (after the try statement), except NameError guards,
# imports used only in one branch, conditional definitions of functions.
import sys

try:
    import ujson as json
except ImportError:
    import json

try:
    from yaml import CSafeLoader as Loader
except ImportError:
    from yaml import SafeLoader as Loader

try:
    import tomllib
except ModuleNotFoundError:
    tomllib = None

try:
    from functools import cache
except ImportError:
    def cache(fn):
        return fn

try:
    import orjson
except ImportError:
    orjson = None
else:
    HAVE_ORJSON = True

try:
    import msgpack
except ImportError:
    pass
import msgpack

try:
    unicode_type = unicode
except NameError:
    unicode_type = str

try:
    import lzma
    import bz2
except ImportError:
    lzma = bz2 = None
finally:
    import zlib

if sys.version_info >= (3, 11):
    from typing import Self
else:
    from typing_extensions import Self


def dumps(obj):
    if orjson is not None:
        return orjson.dumps(obj).decode()
    return json.dumps(obj)


def load_yaml(text):
    import yaml
    return yaml.load(text, Loader=Loader)


def load_toml(text):
    if tomllib is None:
        raise RuntimeError("tomllib is not available")
    return tomllib.loads(text)


@cache
def compressors():
    return {name: mod for name, mod in (("lzma", lzma), ("bz2", bz2)) if mod}


def pack(obj):
    return msgpack.packb(obj)


class Builder:
    def copy(self) -> Self:
        return self


def have_fast_json():
    return HAVE_ORJSON and json_speedups_enabled
