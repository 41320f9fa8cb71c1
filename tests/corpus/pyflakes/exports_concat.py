# Exercises: __all__ built up with +=, with list/tuple concatenation, with an
# annotated assignment, and with .extend (which pyflakes does not follow).
from base64 import b64encode, b64decode
from binascii import hexlify, unhexlify
from zlib import compress, decompress, crc32
from codecs import encode, decode

__all__: list[str] = ["b64encode", "b64decode"] + ["hexlify", "to_hex"] + ["from_hex"]
__all__ += ["compress", "decompress", "checksum32"]
__all__ += ("encode",)
__all__.extend(["decode", "crc32", "roundtrip"])


def to_hex(data: bytes) -> str:
    return hexlify(data).decode("ascii")


def roundtrip(data: bytes) -> bytes:
    return decompress(compress(data))
