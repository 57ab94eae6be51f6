#!/usr/bin/env python3
"""A stand-in for the reference `conclave tail`, as far as reconnection goes.

    reference_tail.py <ws-url> <key-file> <channel> <session>

It speaks protocol v1 with its own bincode encoder (nothing from our code): Hello, Auth with the
machine's Ed25519 key, Join, then prints each channel message as `message <text>` (`encrypted` for an
end-to-end encrypted envelope, which the reference shows as a placeholder). Like the
reference `tail`, it treats any `Error` frame after the handshake as a deliberate end and exits 1
(`error <detail>`), and reconnects only when the connection drops or closes (`closed <code>`, then
`resumed` once it has joined again). Every line is flushed at once, for the test reading it.
"""
import asyncio
import base64
import struct
import sys

import websockets
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def say(*parts):
    print(*parts, flush=True)


# bincode 2 `standard()`: varint integers, length-prefixed strings and bytes.
def varint(value):
    if value < 251:
        return bytes([value])
    if value < 1 << 16:
        return b"\xfb" + struct.pack("<H", value)
    if value < 1 << 32:
        return b"\xfc" + struct.pack("<I", value)
    return b"\xfd" + struct.pack("<Q", value)


def blob(data):
    return varint(len(data)) + data


def text(value):
    return blob(value.encode())


class Reader:
    def __init__(self, data):
        self.data, self.at = data, 0

    def byte(self):
        self.at += 1
        return self.data[self.at - 1]

    def varint(self):
        first = self.byte()
        if first < 251:
            return first
        size = {251: 2, 252: 4, 253: 8}[first]
        value = int.from_bytes(self.data[self.at:self.at + size], "little")
        self.at += size
        return value

    def blob(self):
        size = self.varint()
        self.at += size
        return self.data[self.at - size:self.at]

    def text(self):
        return self.blob().decode()

    def path(self):
        return "/".join(self.text() for _ in range(3))


ERRORS = {0: "version mismatch", 1: "malformed frame", 2: "unauthorized", 3: "not found", 4: "internal"}


def error_detail(reader):
    kind = reader.varint()
    if kind == 0:
        return f"{ERRORS[0]}: ours={reader.varint()}, theirs={reader.varint()}"
    return f"{ERRORS.get(kind, kind)}: {reader.text()}"


async def session(url, key, channel, handle, first):
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    async with websockets.connect(url, max_size=None) as socket:
        await socket.send(b"\x00" + varint(1) + text(handle))  # Hello
        joined = False
        async for frame in socket:
            reader = Reader(frame)
            tag = reader.varint()
            if tag == 1:  # Challenge
                await socket.send(b"\x02" + blob(public) + blob(key.sign(reader.blob())))
            elif tag == 3:  # Established
                await socket.send(b"\x05" + text(channel) + b"\x00")  # Join, no token
            elif tag == 15 and not joined:  # Joined
                joined = True
                say("joined" if first else "resumed")
            elif tag == 9:  # ChannelMsg
                reader.text()
                reader.path()
                if reader.varint() == 0:
                    say("message", reader.text())
                else:  # Encrypted: the reference shows a placeholder, never the bytes
                    say("encrypted")
            elif tag == 12:  # Error: deliberate, final
                say("error", error_detail(reader))
                sys.exit(1)
        # Iteration ends quietly on a normal close (1000, 1001), like the reference's read loop.
        return socket.close_code


async def main():
    url, key_file, channel, handle = sys.argv[1:5]
    with open(key_file) as file:
        seed = base64.urlsafe_b64decode(file.read().strip() + "=")
    key = Ed25519PrivateKey.from_private_bytes(seed)
    first = True
    while True:
        try:
            say("closed", await session(url, key, channel, handle, first))
        except websockets.ConnectionClosed as closed:
            say("closed", closed.rcvd.code if closed.rcvd else "none")
        except OSError as error:
            say("unreachable", error.__class__.__name__)
        first = False
        await asyncio.sleep(0.5)


if __name__ == "__main__":
    asyncio.run(main())
