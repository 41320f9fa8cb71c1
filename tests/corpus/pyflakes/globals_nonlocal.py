# Exercises: global and nonlocal declarations, names created by `global` inside
# a function, counters in closures, augmented assignment to globals without a
# declaration (undefined local), nonlocal in nested functions.
import threading

_lock = threading.Lock()
request_count = 0
_registry = {}


def record_request():
    global request_count
    with _lock:
        request_count += 1
    return request_count


def forget_declaration():
    request_count += 1
    return request_count


def install_hook(fn):
    global _hook
    _hook = fn


def run_hook(value):
    if _hook is not None:
        return _hook(value)
    return value


def make_counter(start=0):
    count = start

    def increment(step=1):
        nonlocal count
        count += step
        return count

    def peek():
        return count

    return increment, peek


def broken_counter():
    total = 0

    def add(n):
        total += n
        return total

    return add


def register(name, obj):
    _registry[name] = obj
    return obj


def reset_registry():
    _registry = {}
    return len(_registry_backup)


def shutdown():
    global _shutdown_started
    if _shutdown_started:
        return
    _shutdown_started = True
    log_message("shutting down")
