# Exercises: unused imports of every shape: dotted `import a.b.c`, aliased
# `import x as y`, `from x import y as z`, relative imports, parenthesised
# multi-line imports, imports used only in a nested function, submodule
# imports that share a root name, imports inside functions and classes.
import os
import os.path
import xml.etree.ElementTree
import email.mime.text
import urllib.parse as urlparse
import http.client as httplib
import numpy as np
import pandas as pd
from collections import OrderedDict as ODict, deque as Deque
from typing import (
    Callable,
    Iterable,
    Mapping,
    NamedTuple,
)
from . import siblings
from .siblings import neighbour
from .. import parent_package
from .local_settings import *  # noqa: F403


class Row(NamedTuple):
    key: str
    value: float


def parse_url(url: str) -> Mapping[str, str]:
    parts = urlparse.urlsplit(url)
    return {"scheme": parts.scheme, "host": parts.netloc}


def tree_from(text: str):
    return xml.etree.ElementTree.fromstring(text)


def as_frame(rows: Iterable[Row]):
    return pd.DataFrame([r._asdict() for r in rows])


def mean_of(values):
    def inner():
        import statistics
        import math
        return statistics.fmean(values)

    return inner()


def neighbours():
    return siblings.ALL


class Uploader:
    import mimetypes
    import shutil as sh

    def guess(self, path):
        return self.mimetypes.guess_type(os.path.basename(path))


def recent(maxlen=10):
    import heapq
    return Deque(maxlen=maxlen)
