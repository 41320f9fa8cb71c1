# Exercises: caching helpers with an __all__ tuple, a class with a nested
# helper class, an OrderedDict-based LRU, names in __all__ that were renamed,
# unused locals in eviction code.
import threading
import time
from collections import OrderedDict
from functools import wraps

__all__ = ("LRUCache", "memoize", "ttl_cache", "clear_all", "CacheStats")

_caches = []


class LRUCache:
    class Entry:
        __slots__ = ("value", "stamp")

        def __init__(self, value):
            self.value = value
            self.stamp = time.monotonic()

    def __init__(self, capacity=128):
        self.capacity = capacity
        self._data = OrderedDict()
        self._lock = threading.RLock()
        _caches.append(self)

    def get(self, key, default=None):
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return default
            self._data.move_to_end(key)
            return entry.value

    def put(self, key, value):
        with self._lock:
            self._data[key] = self.Entry(value)
            self._data.move_to_end(key)
            while len(self._data) > self.capacity:
                evicted_key, evicted = self._data.popitem(last=False)
                age = time.monotonic() - evicted.stamp

    def make_entry(self, value):
        return Entry(value)


def memoize(fn):
    cache = LRUCache()
    missing = object()

    @wraps(fn)
    def wrapper(*args):
        hit = cache.get(args, missing)
        if hit is missing:
            hit = fn(*args)
            cache.put(args, hit)
        return hit

    wrapper.cache = cache
    return wrapper


def clear_all():
    for cache in _caches:
        cache._data.clear()
    count = len(_caches)
