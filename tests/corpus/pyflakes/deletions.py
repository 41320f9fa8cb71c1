# Exercises: `del` of locals and globals, use after del, del of an unknown
# name, conditional del (not tracked), del in loops, del of attributes and
# items (not name deletions).
import tempfile

TEMP_ROOT = tempfile.gettempdir()
_scratch = {"a": 1}
del _scratch


def use_scratch():
    return _scratch


def pop_secret(env):
    secret = env.pop("SECRET", None)
    token = secret
    del secret
    return token, secret


def delete_unknown():
    del never_defined


def conditional_delete(cache, flush):
    entry = cache.get("entry")
    if flush:
        del entry
    return entry


def loop_delete(items):
    for item in items:
        value = item * 2
        del value
    return items


def delete_members(record):
    del record["id"]
    del record.meta
    return record


class Session:
    timeout = 30
    del timeout

    def close(self):
        del self.handle


def cleanup_module():
    del TEMP_ROOT
