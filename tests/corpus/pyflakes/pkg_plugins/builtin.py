# Exercises: plugin classes with a base class defined later in the module
# (undefined at class creation), class-level registries, super() calls,
# __init_subclass__, and a loader with an unused context manager target.
import abc
import io
import zipfile
from pathlib import Path


class SlowLoader(BaseLoader):
    suffixes = (".zip",)

    def load(self, path: Path) -> bytes:
        with zipfile.ZipFile(path) as archive:
            return archive.read(archive.namelist()[0])


class BaseLoader(abc.ABC):
    plugins: dict = {}
    suffixes: tuple = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for suffix in cls.suffixes:
            BaseLoader.plugins[suffix] = cls

    @abc.abstractmethod
    def load(self, path: Path) -> bytes:
        raise NotImplementedError


class MemoryLoader(BaseLoader):
    suffixes = (".mem",)

    def load(self, path: Path) -> bytes:
        with io.BytesIO(b"") as buffer:
            pass
        return plugins.get(path.suffix, b"")


def loader_for(path: Path):
    cls = BaseLoader.plugins.get(path.suffix)
    if cls is None:
        raise LookupError(f"no loader for {path.suffix}")
    return cls()
