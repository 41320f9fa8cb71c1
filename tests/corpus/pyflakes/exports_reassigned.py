# Exercises: __all__ reassigned from itself (`__all__ = __all__ + [...]`), a
# plain reassignment that pyflakes does not merge with the first list, and
# exports of names bound only by a for loop or a with statement.
from operator import itemgetter, attrgetter, methodcaller
from contextlib import nullcontext

__all__ = ["itemgetter", "methodcaller", "first_item", "nothing"]
__all__ = __all__ + ["attrgetter", "second_item", "LOOP_NAME", "CTX", "EXC"]

for LOOP_NAME in ("a", "b"):
    pass

with nullcontext() as CTX:
    pass


def first_item(seq):
    return itemgetter(0)(seq)
