# Exercises: a plugin package __init__: submodule imports (`import a.b`) that
# bind the root package name, optional plugins behind try/except ImportError,
# a registry filled by a function, an __all__ extended with +=.
import importlib
import pkg_plugins.builtin
import pkg_plugins.extra as extra_plugins

try:
    from .fast import FastLoader as Loader
except ImportError:
    from .builtin import SlowLoader as Loader

__all__ = ["Loader", "load", "registry"]
__all__ += ["discover", "unregister"]

registry = {}


def load(name):
    if name not in registry:
        registry[name] = importlib.import_module(f"{__name__}.{name}")
    return registry[name]


def discover():
    found = [pkg_plugins.builtin, extra_plugins]
    names = [mod.__name__ for mod in found]
    return found
