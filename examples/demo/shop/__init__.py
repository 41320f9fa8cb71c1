"""A toy shop, with mistakes left in for ripple to find."""

from .catalog import Product, find_product

__all__ = ["Product", "find_product", "Basket"]
