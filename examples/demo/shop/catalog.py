import os
from dataclasses import dataclass


@dataclass
class Product:
    name: str
    price_cents: int


PRODUCTS = [Product("tea", 350), Product("cake", 420)]


def find_product(name):
    for product in PRODUCTS:
        if product.name == name:
            return product
    return None
