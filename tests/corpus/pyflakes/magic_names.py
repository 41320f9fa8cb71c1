# Exercises: module-level magic names that are always defined (__file__,
# __name__, __doc__, __builtins__, __spec__, __loader__, __package__,
# __annotations__, __debug__), WindowsError, names that are not magic
# outside a package's __init__ (__path__) or outside a class (__qualname__).
"""Paths relative to this module."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
IS_MAIN = __name__ == "__main__"
DOC = __doc__ or ""
SPEC_NAME = __spec__.name if __spec__ else None
LOADER = __loader__
PACKAGE = __package__
BUILTINS = __builtins__
ANNOTATIONS = __annotations__
DEBUG = __debug__


def windows_error():
    try:
        os.remove("x")
    except WindowsError:
        return True
    return False


def package_dirs():
    return list(__path__)


def qualified():
    return __qualname__


def module_dict():
    return __dict__


def version_guard():
    return __version__


def exception_groups():
    return ExceptionGroup, BaseExceptionGroup, EncodingWarning, aiter, anext


def interpreter_only():
    return __import__("sys"), __build_class__
