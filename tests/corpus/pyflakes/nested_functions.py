# Exercises: nested functions and closures: reading module names defined after
# the function (fine: bodies run later), reading names the enclosing function
# defines after the nested def, recursion, names only defined in a sibling
# function, class bodies inside functions.
import heapq


def shortest_path(graph, start, goal):
    def neighbours(node):
        return graph.get(node, ())

    def reconstruct(came_from, node):
        path = [node]
        while node in came_from:
            node = came_from[node]
            path.append(node)
        return path[::-1]

    frontier = [(0, start)]
    came_from = {}
    cost = {start: 0}
    while frontier:
        current_cost, node = heapq.heappop(frontier)
        if node == goal:
            return reconstruct(came_from, node), current_cost
        for nxt, weight in neighbours(node):
            new_cost = cost[node] + weight
            if nxt not in cost or new_cost < cost[nxt]:
                cost[nxt] = new_cost
                came_from[nxt] = node
                heapq.heappush(frontier, (new_cost + heuristic(nxt, goal), nxt))
    return None, INFINITY


def heuristic(a, b):
    return 0 if a == b else 1


INFINITY = float("inf")


def outer():
    def uses_later():
        return later_local + 1

    later_local = 10
    return uses_later()


def sibling_one():
    shared = 1
    return shared


def sibling_two():
    return shared


def factorial(n):
    return 1 if n <= 1 else n * factorial(n - 1)


def make_class(base_value):
    class Local:
        value = base_value
        doubled = value * 2

        def get(self):
            return base_value, value

    return Local


def deep():
    a = 1

    def level1():
        b = 2

        def level2():
            c = 3
            return a + b + d

        return level2

    return level1
