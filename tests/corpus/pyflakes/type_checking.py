# Exercises: `if TYPE_CHECKING:` imports used only in annotations (bare and
# quoted), TYPE_CHECKING imports never used, typing.cast with a string type,
# TypeVar bounds given as strings, undefined names inside string annotations.
from __future__ import annotations

import typing
from typing import TYPE_CHECKING, TypeVar, cast

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from decimal import Decimal
    from fractions import Fraction
    from .models import Order, Customer
    import datetime

T = TypeVar("T", bound="Comparable")
N = TypeVar("N", "Decimal", "float")


class Comparable(typing.Protocol):
    def __lt__(self, other: Comparable) -> bool: ...


def smallest(items: Sequence[T]) -> T:
    return min(items)


def iterate(orders: list[Order]) -> Iterator[Order]:
    yield from orders


def total(order: "Order") -> Decimal:
    return sum((line.amount for line in order.lines), start=cast("Decimal", 0))


def owner(order) -> "Customer | None":
    return cast("Customer", order.customer)


def stamp() -> "datetime.datetime":
    import datetime as dt
    return dt.datetime.now()


def convert(value: "Money") -> "Ledger":
    return value


def cast_unknown(value):
    return cast("Invoice", value)


def typed_list() -> "list[Shipment]":
    return []
