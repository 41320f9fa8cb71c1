# Exercises: dataclass models with relative imports, class attributes that
# reference each other, ClassVar, field defaults, properties, __post_init__,
# methods that mistakenly read class attributes as bare names.
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import ClassVar

from .version import __version__
from ..shared import constants

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")


@dataclass
class Permission:
    code: str
    description: str = ""

    def __str__(self) -> str:
        return self.code


@dataclass
class Group:
    name: str
    permissions: list[Permission] = field(default_factory=list)
    MAX_SIZE: ClassVar[int] = 100

    def allows(self, code: str) -> bool:
        return any(p.code == code for p in self.permissions)

    def is_full(self, members: int) -> bool:
        return members >= MAX_SIZE


@dataclass
class User:
    email: str
    name: str = ""
    groups: list[Group] = field(default_factory=list)
    created: dt.datetime = field(default_factory=dt.datetime.now)
    kind = "user"
    label = kind.title()

    def __post_init__(self) -> None:
        if not EMAIL_RE.match(self.email):
            raise ValueError(f"invalid email: {self.email!r}")
        normalized = self.email.lower()

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    def can(self, code: str) -> bool:
        return any(g.allows(code) for g in self.groups)

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["created"] = self.created.isoformat()
        return data

    def audit(self) -> AuditRecord:
        return AuditRecord(self.email, kind)
