"""The encrypted stream of a backup file (see :mod:`.backup`): AES-256-GCM in the STREAM construction, 1 MiB chunks,
each chunk's nonce its counter plus a last-chunk flag, a key of its own per file derived from the backup key and a
random file id in the header.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import secrets
import struct
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import crypto

MAGIC = b"DIANTI-BACKUP\x00v1\n"
CHUNK = 1 << 20
BACKUP_KEY_VAR = "DIANTI_BACKUP_KEY"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do, in the user's language."""


# Keys ------------------------------------------------------------------------------------------------------------

def master_key() -> bytes:
    raw = os.environ.get(BACKUP_KEY_VAR, "")
    if raw.strip():
        return crypto.parse_key(raw, BACKUP_KEY_VAR)
    return crypto.derive(b"dianti backup v1")


def _file_key(master: bytes, file_id: bytes) -> tuple[AESGCM, bytes]:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=file_id, info=b"dianti backup file v1").derive(master)
    return AESGCM(key), hmac.new(key, b"dianti backup key check", hashlib.sha256).digest()[:16]


def _nonce(counter: int, last: bool) -> bytes:
    return struct.pack(">QI", counter, 1 if last else 0)


# The encrypted stream ---------------------------------------------------------------------------------------------

class EncryptingWriter(io.RawIOBase):
    """A write-only file that encrypts what it is given into ``out`` in authenticated chunks."""

    def __init__(self, out: IO[bytes], master: bytes) -> None:
        self.out, self.buffer, self.counter = out, bytearray(), 0
        file_id = secrets.token_bytes(16)
        self.aead, check = _file_key(master, file_id)
        self.aad = MAGIC + file_id
        out.write(MAGIC + file_id + check)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:  # keep one chunk back: the last one must carry the flag
            self._emit(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def _emit(self, plain: bytes, *, last: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.counter, last), plain, self.aad)
        self.out.write(struct.pack(">I", len(sealed)) + sealed)
        self.counter += 1

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self.buffer), last=True)
            self.buffer.clear()
        super().close()


class DecryptingReader(io.RawIOBase):
    """A read-only file over an encrypted backup; refuses a wrong key, a damaged chunk or a cut-off end."""

    def __init__(self, src: IO[bytes], master: bytes) -> None:
        header = src.read(len(MAGIC) + 32)
        if not header.startswith(MAGIC) or len(header) < len(MAGIC) + 32:
            raise BackupError("这不是点题述职的备份文件（文件头不对）。")
        file_id, check = header[len(MAGIC):len(MAGIC) + 16], header[len(MAGIC) + 16:]
        self.aead, expected = _file_key(master, file_id)
        if not hmac.compare_digest(check, expected):
            raise BackupError(f"备份密钥不对：请用做备份时的 {BACKUP_KEY_VAR}（未设置时为 DIANTI_DATA_KEY）。")
        self.src, self.aad, self.counter = src, MAGIC + file_id, 0
        self.pending, self.finished = b"", False

    def readable(self) -> bool:
        return True

    def _next(self) -> bytes:
        size = self.src.read(4)
        if len(size) < 4:
            raise BackupError("备份文件不完整（结尾缺失），可能复制时被截断。")
        expected = struct.unpack(">I", size)[0]
        sealed = self.src.read(expected)
        if len(sealed) < expected:
            raise BackupError("备份文件不完整（结尾缺失），可能复制时被截断。")
        for last in (False, True):
            try:
                plain = self.aead.decrypt(_nonce(self.counter, last), sealed, self.aad)
            except InvalidTag:
                continue
            self.counter += 1
            if last:
                self.finished = True
                if self.src.read(1):
                    raise BackupError("备份文件已损坏或被篡改（结尾之后还有多余数据）。")
            return plain
        raise BackupError(f"备份文件已损坏或被篡改（第 {self.counter + 1} 段校验失败）。")

    def readinto(self, target: Any) -> int:
        while not self.pending and not self.finished:
            self.pending = self._next()
        n = min(len(target), len(self.pending))
        target[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n

    def drain(self) -> None:
        """Read to the end, so a file cut short after the part already used is still refused."""
        while self.read(CHUNK):
            pass
