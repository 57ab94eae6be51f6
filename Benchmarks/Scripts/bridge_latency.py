"""Bridge → server → bridge latency, measured the way Claude Code experiences it.

Starts an ephemeral `conclave serve` on loopback, registers two identities in temporary config
directories, runs one `conclave bridge` for each over stdio, joins both to a channel, then times
each `tools/call send_channel` written to bridge A until the `notifications/claude/channel` line
for that message is read from bridge B. Also times bridge cold start (process spawn to the
`initialize` reply). Prints one JSON object.

Usage: python3 bridge_latency.py PATH/TO/conclave [messages]
"""

import json
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


WAIT_SECONDS = 30
"""The longest any single wait may take: a reply, a notification, the server's address."""


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Bridge:
    def __init__(self, binary, config, handle):
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [binary, "--config-dir", config, "bridge", "--as", handle],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
        self.next_id = 0
        self.buffer = b""

    def send(self, message):
        self.process.stdin.write((json.dumps(message) + "\n").encode())

    def read(self, timeout=WAIT_SECONDS):
        """The next JSON-RPC line; fails loudly when none comes within `timeout` seconds (a bridge
        that holds a message, for a flood budget say, must not hang the suite)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.process.stdout], [], [], remaining)[0]:
                raise RuntimeError(f"no line from the bridge within {timeout} s")
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                raise RuntimeError("bridge closed stdout")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == self.next_id:
                return message

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=5)


def start_server(binary):
    """An ephemeral server without limits on a free loopback port, logging JSON to a pipe."""
    return subprocess.Popen([binary, "serve", "--ephemeral", "--unlimited", "--bind", "127.0.0.1:0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "CONCLAVE_LOG_FORMAT": "json"})


def listening_address(server):
    """The host:port the server's log says it listens on, within WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        if time.monotonic() > deadline or not select.select([server.stderr], [], [], max(0, deadline - time.monotonic()))[0]:
            raise RuntimeError(f"the server printed no address within {WAIT_SECONDS} s")
        line = server.stderr.readline().decode()
        if not line:
            raise RuntimeError("the server exited before listening")
        match = re.search(r'"addr":"([^"]+)"', line)
        if match:
            return match.group(1)


def switch_off_flood_control(config):
    """The bridge's own flood defences (20 sends and 40 injections a minute) would hold most of
    a latency run's messages: a benchmark measures delivery, not the budget."""
    with open(os.path.join(config, "config.toml"), "a") as handle:
        handle.write("\n[flood]\nemit_per_window = 0\ninject_per_window = 0\npingpong_turns = 0\n")


def main():
    binary = os.path.abspath(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    work = tempfile.mkdtemp(prefix="conclave-bench-")
    server = start_server(binary)
    try:
        url = f"ws://{listening_address(server)}/"
        configs = {}
        for user in ("alice", "bob"):
            configs[user] = os.path.join(work, user)
            subprocess.run([binary, "--config-dir", configs[user], "register", "--server", url, "--username", user, "--machine", "m"],
                           check=True, capture_output=True, timeout=WAIT_SECONDS)
            subprocess.run([binary, "--config-dir", configs[user], "perm", "set", "converse"], check=True, capture_output=True,
                           timeout=WAIT_SECONDS)
            switch_off_flood_control(configs[user])
        subprocess.run([binary, "--config-dir", configs["alice"], "channel", "create", "bench"], check=True, capture_output=True,
                       timeout=WAIT_SECONDS)

        cold = []
        for _ in range(10):
            bridge = Bridge(binary, configs["alice"], "cold")
            bridge.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}})
            cold.append((time.perf_counter() - bridge.started) * 1000)
            bridge.close()

        sender, receiver = Bridge(binary, configs["alice"], "a"), Bridge(binary, configs["bob"], "b")
        for bridge in (sender, receiver):
            bridge.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}})
            bridge.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
            reply = bridge.request("tools/call", {"name": "join_channel", "arguments": {"channel": "bench"}})
            assert "joined" in reply["result"]["content"][0]["text"], reply

        latencies = []
        for index in range(count + 20):
            text = f"m{index}"
            sender.next_id += 1
            started = time.perf_counter()
            sender.send({"jsonrpc": "2.0", "id": sender.next_id, "method": "tools/call",
                         "params": {"name": "send_channel", "arguments": {"channel": "bench", "text": text}}})
            deadline = time.monotonic() + WAIT_SECONDS
            while True:
                message = receiver.read(timeout=max(0.01, deadline - time.monotonic()))
                if message.get("method") == "notifications/claude/channel" and message["params"]["content"] == text:
                    break
            elapsed = (time.perf_counter() - started) * 1000
            while sender.read().get("id") != sender.next_id:
                pass
            if index >= 20:  # warm-up
                latencies.append(elapsed)
        sender.close()
        receiver.close()
        print(json.dumps({
            "messages": count,
            "bridge_to_bridge_ms": {"p50": round(percentile(latencies, 0.5), 3), "p99": round(percentile(latencies, 0.99), 3),
                                    "mean": round(statistics.mean(latencies), 3), "max": round(max(latencies), 3)},
            "cold_start_to_initialize_ms": {"p50": round(percentile(cold, 0.5), 2), "max": round(max(cold), 2)},
        }))
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
