# Exercises: async functions: await, async for, async with targets (unused
# ones reported), async comprehensions, asyncio.TaskGroup, names undefined in
# coroutines.
import asyncio
import contextlib
from typing import AsyncIterator

__all__ = ["ticker", "collect", "fetch_all", "gather_all", "main"]


async def ticker(n: int, delay: float = 0.01) -> AsyncIterator[int]:
    for i in range(n):
        await asyncio.sleep(delay)
        yield i


async def collect(n):
    values = [i async for i in ticker(n)]
    evens = {i async for i in ticker(n) if i % 2 == 0}
    return values


async def fetch_all(urls):
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(fetch(u)) for u in urls]
    return [t.result() for t in tasks]


async def fetch(url):
    async with session_factory() as session:
        response = await session.get(url)
    return url


async def consume(queue):
    async for item in drain(queue):
        pass
    async with contextlib.AsyncExitStack() as stack:
        await stack.aclose()


async def drain(queue):
    while not queue.empty():
        yield await queue.get()


async def timeout_example():
    try:
        async with asyncio.timeout(1) as cm:
            await asyncio.sleep(2)
    except TimeoutError as timeout_error:
        return None


def main():
    loop = asyncio.new_event_loop()
    result = loop.run_until_complete(collect(3))
    return asyncio.run(consume(asyncio.Queue()))
