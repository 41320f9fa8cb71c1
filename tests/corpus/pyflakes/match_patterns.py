# Exercises: match statements: capture patterns, class patterns with keyword
# captures, sequence and mapping patterns (including **rest), `as` patterns,
# guards, wildcards, value patterns with dotted names, unused captures.
from dataclasses import dataclass
from enum import Enum


class Shape(Enum):
    CIRCLE = "circle"
    SQUARE = "square"


@dataclass
class Point:
    x: float
    y: float


def describe_point(p):
    match p:
        case Point(x=0, y=0):
            return "origin"
        case Point(x=0, y=y):
            return f"on the y axis at {y}"
        case Point(x=x, y=0):
            return f"on the x axis at {x}"
        case Point(x=x, y=y) if x == y:
            return "on the diagonal"
        case _:
            return "somewhere"


def handle_command(command):
    match command.split():
        case ["go", direction]:
            return move(direction)
        case ["pick", "up", item] | ["take", item]:
            return take(item)
        case ["drop", *objects]:
            return len(objects)
        case ["look", *rest]:
            return "looking"
        case [first, second]:
            return first
        case _:
            return unknown_command(command)


def handle_event(event):
    match event:
        case {"type": "click", "pos": (x, y)}:
            return ("click", x, y)
        case {"type": "key", "key": key, **extra}:
            return ("key", key, extra)
        case {"type": "resize", **others}:
            return "resize"
        case {"type": Shape.CIRCLE.value}:
            return "circle"
        case {"type": str() as kind}:
            return kind
        case [Point() as start, Point() as end]:
            return distance(start, end)
    return None


def move(direction):
    return f"moving {direction}"


def take(item):
    return f"taking {item}"


match_value = Shape.SQUARE
match match_value:
    case Shape.CIRCLE:
        radius_label = "r"
    case Shape.SQUARE:
        radius_label = "side"
    case other:
        radius_label = str(other)
