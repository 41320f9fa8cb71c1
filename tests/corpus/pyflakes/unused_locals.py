# Exercises: unused local variables: plain assignment, annotated assignment,
# chained assignment, tuple unpacking (not reported), literal tuple unpacking
# (reported), augmented assignment, `with ... as x`, for-loop targets (never
# reported), names reassigned after a use, `_` and dunder locals, module-level
# variables (never reported).
import contextlib
import io
import subprocess

module_level_unused = 42


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    output = proc.stdout
    errors = proc.stderr
    return proc.returncode, output


def unpack(pair):
    first, second = pair
    (a, b) = pair
    [c, d] = pair
    x, y = 1, 2
    return first


def literal_unpack():
    (left, right) = (0, 1)
    return 0


def annotated():
    count: int = 0
    label: str
    return "done"


def chained():
    p = q = 0
    return p


def augmented():
    total = 0
    total += 1
    return None


def augmented_never_read():
    hits = 1
    hits += 1


def with_targets(path):
    with open(path) as handle:
        pass
    with open(path) as (fh):
        pass
    with contextlib.suppress(OSError), io.StringIO() as buf, open(path) as src:
        return src.read()
    with open(path) as (one, two):
        pass


def loops(items):
    for index, item in enumerate(items):
        pass
    for unused in items:
        break
    while (line := input()) != "q":
        pass


def reassigned(text):
    value = text.strip()
    print(value)
    value = text.lower()
    result = None
    result = text.upper()
    return None


def underscore(values):
    _ = values.pop()
    __tracebackhide__ = True
    __traceback_info__ = values
    ignored_ = 1
    return values


def nested():
    closure_var = 1
    shadowed = 2

    def inner():
        return closure_var

    def other():
        shadowed = 3
        unused_inner = 4
        return None

    return inner, other


def conditionally(flag):
    if flag:
        message = "yes"
    else:
        message = "no"
    return None


def async_style():
    import asyncio
    loop = asyncio.new_event_loop()
    task = loop.create_task(asyncio.sleep(0))
    return loop


def starred(items):
    head, *tail = items
    *init, last = items
    return head


def attribute_and_subscript_targets(obj, data):
    obj.name = "x"
    data["key"] = 1
    data[0], obj.size = 1, 2
    return None


class NotAFunction:
    class_level_unused = 1

    def method(self):
        local_unused = self
        return None
