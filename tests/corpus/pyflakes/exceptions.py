# Exercises: exception handling: `except E as e` with e unused (reported even
# at module level), e used, e used after the except block (undefined: the name
# is unbound when the block ends), nested handlers, except* groups, NameError
# guards, bare except.
import errno
import logging
import socket

log = logging.getLogger(__name__)

try:
    HOSTNAME = socket.gethostname()
except OSError as exc:
    HOSTNAME = "localhost"


def connect(host, port):
    try:
        return socket.create_connection((host, port), timeout=5)
    except socket.timeout as err:
        log.warning("timed out connecting to %s:%d", host, port)
    except ConnectionRefusedError as err:
        log.warning("refused: %s", err)
    except OSError as err:
        if err.errno == errno.EHOSTUNREACH:
            return None
        raise
    return None


def read_config(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError as missing:
        pass
    except PermissionError:
        return ""
    return missing.filename


def retry(fn, attempts=3):
    last_error = None
    for attempt in range(attempts):
        try:
            return fn()
        except Exception as e:
            last_error = e
    raise RuntimeError("gave up") from last_error


def nested_handlers(fn):
    try:
        fn()
    except ValueError as outer:
        try:
            fn()
        except TypeError as inner:
            raise outer
    return None


def groups(fn):
    try:
        fn()
    except* ValueError as eg:
        log.error("value errors: %d", len(eg.exceptions))
    except* KeyError as keys:
        pass


def guarded():
    try:
        return optional_feature()
    except NameError:
        return None


def guarded_tuple():
    try:
        return other_feature()
    except (NameError, ImportError):
        return None


def unguarded():
    try:
        return third_feature()
    except ImportError:
        return None


def bare():
    try:
        return fourth_feature()
    except:
        return None


def handler_shadows_local():
    error = "none yet"
    try:
        pass
    except Exception as error:
        pass
    return error


class Service:
    try:
        import ssl
    except ImportError as import_error:
        ssl = None
