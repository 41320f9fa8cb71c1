# Exercises: string annotations without `from __future__ import annotations`:
# forward references count as uses, undefined names in strings are reported,
# bare annotations evaluated eagerly at definition time, typing generics.
import dataclasses
import typing
from typing import ClassVar, List, Optional, Union

import enum
import uuid


class Node:
    parent: Optional["Node"]
    children: List["Node"]
    kind: "NodeKind"

    def __init__(self, parent: "Optional[Node]" = None):
        self.parent = parent
        self.children = []

    def add(self, child: "Node") -> "Node":
        child.parent = self
        self.children.append(child)
        return child

    def find(self, key: "Key") -> "Optional[Node]":
        return None

    def walk(self) -> typing.Iterator["Node"]:
        yield self
        for child in self.children:
            yield from child.walk()


class NodeKind(enum.Enum):
    LEAF = "leaf"
    BRANCH = "branch"


@dataclasses.dataclass
class Tree:
    root: Node
    size: int = 0
    registry: ClassVar[dict] = {}
    ident: "uuid.UUID" = dataclasses.field(default_factory=uuid.uuid4)

    def merge(self, other: Tree) -> "Tree":
        return self

    def graft(self, other: "Forest") -> None:
        pass


def pick(a: Union["Tree", "Node"], b: Visitor) -> "Tree":
    return a


class Visitor:
    def visit(self, node: "Node") -> "VisitResult":
        return None
