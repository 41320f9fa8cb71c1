# Exercises: __all__ as a list and tuple of strings: names exported but never
# defined, imports kept alive only by __all__, non-string entries ignored.
from os.path import join, splitext
from shutil import copyfileobj, rmtree
from hashlib import sha256, md5

__all__ = [
    "join",
    "copyfileobj",
    "sha256",
    "checksum",
    "Archive",
    "extract_all",
    "compress",
    "DEFAULT_CHUNK",
]

DEFAULT_CHUNK = 1 << 16


def checksum(path, chunk=DEFAULT_CHUNK):
    digest = sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


class Archive:
    def __init__(self, path):
        self.path = path
        self.stem, self.suffix = splitext(path)

    def remove(self):
        rmtree(self.path)
