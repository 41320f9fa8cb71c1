# Exercises: conditional definitions: functions and classes defined in
# if/elif/else branches, in try/except, in match cases, names defined in only
# one branch then used, platform switches, while/else and for/else.
import os
import sys
import platform

if sys.platform.startswith("linux"):
    def open_file(path):
        return os.system(f"xdg-open {path}")
elif sys.platform == "darwin":
    def open_file(path):
        return os.system(f"open {path}")
else:
    def open_file(path):
        os.startfile(path)


if os.name == "nt":
    class Console:
        encoding = "cp1252"
else:
    class Console:
        encoding = "utf-8"


match platform.machine():
    case "x86_64":
        def word_size():
            return 64
    case "i386":
        def word_size():
            return 32
    case _:
        def word_size():
            return 0


try:
    import resource

    def max_rss():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
except ImportError:
    def max_rss():
        return 0


def pick_editor():
    if "EDITOR" in os.environ:
        editor = os.environ["EDITOR"]
    return editor


def find_first(items, predicate):
    for item in items:
        if predicate(item):
            found = item
            break
    else:
        found = None
    return found


def drain(queue):
    while queue:
        queue.pop()
    else:
        finished = True
    return finished


DEBUG = os.environ.get("DEBUG") == "1"
if DEBUG:
    def trace(msg):
        print(msg, file=sys.stderr)


def use_trace():
    trace("hello")
    return debug_level


def trace(msg):
    pass
