"""Bridge → server → hooks → model latency: delivery by pull, with the real Claude Code CLI.

Starts an ephemeral `conclave serve` on loopback and two identities. alice's project gets
`conclave setup claude` (bridge with --delivery hooks, and the hooks); the `claude` bundled in
PyPI's claude-agent-sdk runs there offline, against the scripted Messages API of
Tests/Interop/mock_messages_api.py. bob posts through his own bridge over stdio. Each sample
times a `tools/call send_channel` written to bob's bridge until the Messages API receives the
model request that carries the message: the idle session was woken by the background waiter
(`conclave hook wait`), with no user input. Prints one JSON object.

Usage: python3 pull_latency.py PATH/TO/conclave PATH/TO/claude [messages]
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from bridge_latency import WAIT_SECONDS, Bridge, listening_address, percentile, start_server, switch_off_flood_control

HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP = os.path.join(HERE, "..", "..", "Tests", "Interop")
MOCK = os.path.join(INTEROP, "mock_messages_api.py")
sys.path.insert(0, INTEROP)
from claude_offline import offline_env, start_session  # noqa: E402


def main():
    binary = os.path.abspath(sys.argv[1])
    claude_binary = os.path.abspath(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    work = tempfile.mkdtemp(prefix="conclave-pull-")
    processes = []
    try:
        server = start_server(binary)
        processes.append(server)
        url = f"ws://{listening_address(server)}/"
        configs = {user: os.path.join(work, user) for user in ("alice", "bob")}
        for user, config in configs.items():
            subprocess.run([binary, "--config-dir", config, "register", "--server", url, "--username", user, "--machine", "m"],
                           check=True, capture_output=True, timeout=WAIT_SECONDS)
            subprocess.run([binary, "--config-dir", config, "perm", "set", "converse"], check=True, capture_output=True, timeout=WAIT_SECONDS)
            switch_off_flood_control(config)
        subprocess.run([binary, "--config-dir", configs["bob"], "channel", "create", "bench"], check=True, capture_output=True, timeout=WAIT_SECONDS)

        log, port_file = os.path.join(work, "api.jsonl"), os.path.join(work, "api.port")
        processes.append(subprocess.Popen([sys.executable, MOCK, "--port-file", port_file, "--log", log]))
        while not os.path.exists(port_file):
            time.sleep(0.05)
        home, project = os.path.join(work, "home"), os.path.join(work, "project")
        os.makedirs(home)
        os.makedirs(project)
        env = offline_env(home, open(port_file).read().strip())
        # Every sample wakes the idle session with no prompt in between: raise Claude Code's cap on
        # such turns (the hooks read the same variable and stay one below it).
        env["CLAUDE_CODE_STOP_HOOK_BLOCK_CAP"] = str(count + 20)
        if os.environ.get("CONCLAVE_HOOK_LOG"):
            env["CONCLAVE_LOG"] = "debug"  # the bridge's and the hooks' log (with CONCLAVE_KEEP_WORK)
        subprocess.run([binary, "--config-dir", configs["alice"], "setup", "claude", "--project", project, "--claude", claude_binary],
                       check=True, capture_output=True, env=env)
        claude = start_session(claude_binary, project, env)
        processes.append(claude)
        results = []
        threading.Thread(target=lambda: [results.append(1) for line in claude.stdout if '"type":"result"' in line], daemon=True).start()

        def idle(turns):
            deadline = time.time() + 60
            while len(results) < turns:
                if time.time() > deadline:
                    raise RuntimeError("Claude Code did not finish turn %d" % turns)
                time.sleep(0.01)

        script = json.dumps([["mcp__conclave__join_channel", {"channel": "bench"}]])
        claude.stdin.write(json.dumps({"type": "user", "message": {"role": "user", "content": "join @mock-tools " + script}}) + "\n")
        claude.stdin.flush()
        idle(1)

        sender = Bridge(binary, configs["bob"], "sender")
        sender.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}})
        sender.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        sender.request("tools/call", {"name": "join_channel", "arguments": {"channel": "bench"}})

        latencies = []
        missed = 0
        seen = 0
        turns = 1
        for index in range(count + 3):
            time.sleep(0.5)  # the session is idle and its waiter armed
            marker = f"pull-sample-{index}-end"
            started = time.perf_counter()
            reply = sender.request("tools/call", {"name": "send_channel", "arguments": {"channel": "bench", "text": marker}})
            assert "sent" in reply["result"]["content"][0]["text"], reply
            elapsed = None
            while elapsed is None:
                with open(log) as handle:
                    lines = handle.readlines()
                if any(marker in line for line in lines[seen:]):
                    elapsed = (time.perf_counter() - started) * 1000
                    seen = len(lines)
                elif time.perf_counter() - started > 15:
                    # No wake reached the model: the message waits in the spool for the next hook.
                    # A prompt delivers it (and is counted as a miss, not a latency).
                    missed += 1
                    claude.stdin.write(json.dumps({"type": "user", "message": {"role": "user", "content": "anything?"}}) + "\n")
                    claude.stdin.flush()
                    elapsed = -1.0
                else:
                    time.sleep(0.002)
            turns += 1
            idle(turns)
            if index >= 3 and elapsed >= 0:  # warm-up
                latencies.append(elapsed)
        sender.close()
        print(json.dumps({
            "messages": count,
            "missed_wakes": missed,
            "send_to_model_request_ms": {"p50": round(percentile(latencies, 0.5), 1), "p99": round(percentile(latencies, 0.99), 1),
                                         "mean": round(statistics.mean(latencies), 1), "max": round(max(latencies), 1)},
        }))
    finally:
        for process in reversed(processes):
            process.kill()
            process.wait(timeout=10)
        if not os.environ.get("CONCLAVE_KEEP_WORK"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
