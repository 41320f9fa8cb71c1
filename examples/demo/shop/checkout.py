from .catalog import Product, find_prodcut
from .payments import charge


def total(items: list["Product"]) -> int:
    subtotal = 0
    discount = 0
    for item in items:
        subtotal += item.price_cents
    return subtotal + shipping


def pay(items):
    amount = total(items)
    return charge(amount)
