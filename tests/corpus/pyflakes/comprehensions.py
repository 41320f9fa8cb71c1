# Exercises: comprehension scopes (list, set, dict, generator), names bound by
# comprehensions are not visible afterwards, nested comprehensions.
from collections import Counter, defaultdict
from itertools import chain, groupby


def word_counts(lines):
    words = [w.lower() for line in lines for w in line.split()]
    return Counter(words)


def index_by_first_letter(words):
    index = defaultdict(list)
    for word in sorted(words):
        index[word[0]].append(word)
    return {letter: sorted(set(ws)) for letter, ws in index.items()}


def flatten(matrix):
    rows = [[cell for cell in row if cell is not None] for row in matrix]
    return list(chain.from_iterable(rows))


def leaked_variable(items):
    squares = [item * item for item in items]
    return squares, item


def unique_lengths(words):
    lengths = {len(w) for w in words}
    return sorted(lengths), w


def grouped(records):
    ordered = sorted(records, key=lambda r: r["kind"])
    return {kind: [r["name"] for r in group] for kind, group in groupby(ordered, key=lambda r: r["kind"])}


def lazy_totals(orders):
    totals = (sum(line.price * line.qty for line in order.lines) for order in orders)
    return max(totals, default=0)


def bad_filter(rows):
    return [row for row in rows if row.score > threshold]


def pairs(n):
    return [(i, j) for i in range(n) for j in range(i) if i != j]


def generator_uses_later(rows):
    return (row for row in rows if row in known_rows)


known_rows = set()
