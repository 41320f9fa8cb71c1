# Exercises: `from __future__ import annotations`: annotations are postponed,
# so forward references in bare annotations are fine, but undefined names in
# them are still reported; annotations on module and class variables; future
# imports are never unused.
from __future__ import annotations, division

import abc
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Repository(abc.ABC, Generic[K, V]):
    cache: dict[K, V]
    backend: StorageBackend

    @abc.abstractmethod
    def get(self, key: K) -> V | None: ...

    @abc.abstractmethod
    def put(self, key: K, value: V) -> None: ...

    def clone(self) -> Repository[K, V]:
        return self

    def migrate(self, target: Migration) -> Report:
        return Report()


class MemoryRepository(Repository[str, bytes]):
    def __init__(self) -> None:
        self.cache = {}

    def get(self, key: str) -> bytes | None:
        return self.cache.get(key)

    def put(self, key: str, value: bytes) -> None:
        self.cache[key] = value

    def snapshot(self) -> Snapshot:
        return Snapshot(dict(self.cache))


class Snapshot:
    def __init__(self, data: dict[str, bytes]) -> None:
        self.data = data


class StorageBackend(abc.ABC):
    pass


class Report:
    pending: list[Task]


default_repository: Repository[str, bytes] = MemoryRepository()
fallback: Missing = None
