# Exercises: module-scope undefined names, use before definition at module
# level, unused imports (plain, dotted, aliased), builtins and module dunders.
import os
import sys
import json
import logging.handlers
import collections.abc as cabc
from pathlib import Path, PurePosixPath
from typing import Any, Dict, Optional

log = logging.getLogger(__name__)

DEFAULT_HOME = Path(os.environ.get("APP_HOME", "~/.app")).expanduser()
CONFIG_NAME = "settings.json"
VERBOSE = "-v" in sys.argv

print(LATE_CONSTANT)
LATE_CONSTANT = 3


class ConfigError(Exception):
    """Raised when the configuration cannot be loaded."""


class Config:
    def __init__(self, values: Dict[str, Any], source: Optional[Path] = None):
        self.values = values
        self.source = source

    def get(self, key, default=None):
        return self.values.get(key, default)

    def require(self, key):
        try:
            return self.values[key]
        except KeyError:
            raise ConfigError(f"missing key {key!r} in {self.source}") from None

    def as_mapping(self) -> cabc.Mapping:
        return dict(self.values)


def load(path=None):
    path = path or DEFAULT_HOME / CONFIG_NAME
    if not path.exists():
        log.warning("no configuration at %s", path)
        return Config({}, None)
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected an object, got {type(data).__name__}")
    return Config(data, path)


def dump(config, stream=None):
    stream = stream or sys.stdout
    json.dump(config.values, stream, indent=2, sort_keys=True)
    stream.write("\n")
    flush_all(stream)


def describe():
    return f"{__name__} from {__file__}: {len(ENVIRONMENT_OVERRIDES)} overrides"


def reload_defaults():
    global _cached
    _cached = load()
    return _cached


def env_flag(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return defualt
    return raw.lower() in ("1", "true", "yes")


if VERBOSE:
    log.setLevel(logging.DEBUG)
