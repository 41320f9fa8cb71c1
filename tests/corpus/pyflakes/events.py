# Exercises: a small event bus: __all__ with a misspelled export, handlers
# stored in a defaultdict, a weakref callback, an exception target reused for
# logging, a class-level constant read inside a method without `self.`.
import logging
import weakref
from collections import defaultdict
from typing import Callable

__all__ = ["EventBus", "subscribe", "publish", "Event", "unsubscribe_all"]

log = logging.getLogger(__name__)


class Event:
    __slots__ = ("name", "payload")

    def __init__(self, name: str, payload: dict | None = None):
        self.name = name
        self.payload = payload or {}

    def __repr__(self) -> str:
        return f"Event({self.name!r})"


class EventBus:
    MAX_HANDLERS = 64

    def __init__(self):
        self._handlers: dict[str, list[Callable[[Event], None]]] = defaultdict(list)
        self._owners = weakref.WeakKeyDictionary()

    def subscribe(self, name: str, handler: Callable[[Event], None], owner=None):
        handlers = self._handlers[name]
        if len(handlers) >= MAX_HANDLERS:
            raise OverflowError(f"too many handlers for {name}")
        handlers.append(handler)
        if owner is not None:
            self._owners[owner] = name
        return handler

    def publish(self, event: Event) -> int:
        delivered = 0
        for handler in list(self._handlers.get(event.name, ())):
            try:
                handler(event)
                delivered += 1
            except Exception as exc:
                log.exception("handler %r failed on %r: %s", handler, event, exc)
        return delivered


_default_bus = EventBus()


def subscribe(name, handler=None):
    if handler is None:
        return lambda fn: _default_bus.subscribe(name, fn)
    return _default_bus.subscribe(name, handler)


def publish(name, **payload):
    event = Event(name, payload)
    return _default_bus.publish(event)
