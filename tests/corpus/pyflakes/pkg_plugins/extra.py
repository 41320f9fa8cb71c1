# Exercises: a plugin module importing its own package absolutely and
# relatively, using the package only in a type annotation, redefining an
# import with a function of the same name.
from __future__ import annotations

import pkg_plugins
from . import builtin
from .builtin import loader_for


def loader_for(path):
    return builtin.loader_for(path)


def describe(pkg: pkg_plugins) -> str:
    return str(pkg)
