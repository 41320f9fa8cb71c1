# Exercises: assignment expressions (walrus): binding in the enclosing function
# from a comprehension, unused walrus targets, walrus in while/if conditions.
import re
import sys

LINE_RE = re.compile(r"^(?P<key>\w+)=(?P<value>.*)$")


def parse_lines(lines):
    result = {}
    for line in lines:
        if (match := LINE_RE.match(line)) is not None:
            result[match["key"]] = match["value"]
    return result


def read_chunks(stream, size=4096):
    chunks = []
    while chunk := stream.read(size):
        chunks.append(chunk)
    return b"".join(chunks)


def first_long(words):
    if any(len(found := w) > 10 for w in words):
        return found
    return None


def unused_walrus(values):
    if (total := sum(values)) > 100:
        return True
    return False


def unused_in_comprehension(values):
    doubled = [last := v * 2 for v in values]
    return doubled


def walrus_then_undefined(values):
    print(n := len(values))
    return count


def module_walrus():
    return argc


if (argc := len(sys.argv)) > 3:
    print("too many arguments")
