# Exercises: typing constructs: TypeAlias values (treated as annotations),
# Literal strings (not forward references), Annotated metadata (not an
# annotation), NewType, Protocol, string types inside typing subscripts
# outside annotations, an __all__ with an undefined alias name.
from typing import Annotated, Callable, Literal, NewType, Optional, Protocol, TypeAlias, Union

__all__ = ["UserId", "Handler", "Mode", "JsonValue", "Validator", "PathLike"]

UserId = NewType("UserId", int)
Mode = Literal["read", "write", "append"]
Handler: TypeAlias = "Callable[[Request], Response]"
JsonValue: TypeAlias = Union[str, int, float, bool, None, "list[JsonValue]", "dict[str, JsonValue]"]
MaybeNode = Optional["TreeNode"]
Positive = Annotated[int, "must be positive", check_positive]
Checked = Annotated["Checker", "metadata"]


class Response:
    status: int = 200


class Validator(Protocol):
    def __call__(self, value: object) -> bool: ...


def open_mode(mode: Mode = "read") -> Literal["r", "w", "a"]:
    return {"read": "r", "write": "w", "append": "a"}[mode]


def check_positive(value: int) -> bool:
    return value > 0


def apply(handler: Handler, value: "Annotated[int, 'meta']") -> None:
    handler(value)


def literal_in_signature(kind: Literal["Missing"]) -> None:
    return None
