#!/usr/bin/env python3
"""The real Claude Code CLI against `conclave bridge --delivery hooks`, offline.

Runs the `claude` bundled in PyPI's claude-agent-sdk with HOME in a temporary directory, against
a scripted Messages API on 127.0.0.1 (mock_messages_api.py), with every proxy variable pointing at
a local tripwire that records any attempt to reach another host. A second user, bob, posts with
the `conclave` CLI and watches with `conclave tail`.

Usage: claude_code_e2e.py CONCLAVE CLAUDE ALICE_CONFIG BOB_CONFIG WORKDIR
Prints a JSON report on stdout; exits 1 with the reason on stderr when a check fails.
"""
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time

from claude_offline import offline_env, start_session

CONCLAVE, CLAUDE, ALICE, BOB, WORK = sys.argv[1:6]
HERE = os.path.dirname(os.path.abspath(__file__))
report = {}


def fail(reason):
    sys.stderr.write("FAILED: %s\nreport so far: %s\n" % (reason, json.dumps(report)[:4000]))
    sys.exit(1)


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    fail("timed out after %s s waiting for %s" % (timeout, what))


class Tripwire(threading.Thread):
    """A TCP listener standing in for every proxy: any connection is someone leaving loopback."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.hits = []

    def run(self):
        while True:
            connection, _ = self.sock.accept()
            connection.settimeout(2)
            try:
                self.hits.append(connection.recv(200).decode("latin-1").split("\r\n")[0])
            except OSError:
                self.hits.append("(no request line)")
            connection.close()


def requests(log):
    with open(log) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def model_requests(log):
    return [entry for entry in requests(log) if entry.get("path", "").endswith("/v1/messages")]


def main():
    home = os.path.join(WORK, "home")
    project = os.path.join(WORK, "project")
    os.makedirs(home, exist_ok=True)
    os.makedirs(project, exist_ok=True)
    tripwire = Tripwire()
    tripwire.start()
    proxy = "http://127.0.0.1:%d" % tripwire.port
    log = os.path.join(WORK, "api.jsonl")
    port_file = os.path.join(WORK, "api.port")
    mock = subprocess.Popen([sys.executable, os.path.join(HERE, "mock_messages_api.py"), "--port-file", port_file, "--log", log])
    wait_for(lambda: os.path.exists(port_file), 10, "the mock Messages API")
    port = open(port_file).read().strip()
    env = offline_env(home, port, proxy=proxy)
    processes = [mock]
    try:
        run(env, project, log, tripwire, processes)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    print(json.dumps(report))


def run(env, project, log, tripwire, processes):
    setup = subprocess.run([CONCLAVE, "--config-dir", ALICE, "setup", "claude", "--project", project, "--claude", CLAUDE],
                           env=env, capture_output=True, text=True, timeout=120)
    if setup.returncode != 0:
        fail("setup claude: %s %s" % (setup.stdout, setup.stderr))
    listed = subprocess.run([CLAUDE, "mcp", "list"], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    report["mcp_list"] = listed.stdout.strip().splitlines()[-1] if listed.stdout.strip() else listed.stderr
    if "Connected" not in listed.stdout:
        fail("claude mcp list does not show the bridge connected: %r" % listed.stdout)

    # bob watches #lobby.
    tail = subprocess.Popen([CONCLAVE, "--config-dir", BOB, "tail", "--channel", "lobby", "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    processes.append(tail)
    seen_by_bob = queue.Queue()
    threading.Thread(target=lambda: [seen_by_bob.put(json.loads(line)) for line in tail.stdout], daemon=True).start()
    time.sleep(1)

    claude = start_session(CLAUDE, project, env)
    processes.append(claude)
    results = []
    hook_events = []

    def read():
        for line in claude.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("type") == "result":
                results.append(event)
            if event.get("type") == "system" and event.get("subtype") == "hook_response":
                hook_events.append((event.get("hook_event"), event.get("exit_code")))
    threading.Thread(target=read, daemon=True).start()

    def say(text):
        claude.stdin.write(json.dumps({"type": "user", "message": {"role": "user", "content": text}}) + "\n")
        claude.stdin.flush()

    # 1. Outbound: the model joins both channels and posts; bob sees the post.
    script = [["mcp__conclave__join_channel", {"channel": "lobby"}], ["mcp__conclave__join_channel", {"channel": "news"}],
              ["mcp__conclave__send_channel", {"channel": "lobby", "text": "hi from the real client"}]]
    say("Join and greet. @mock-tools " + json.dumps(script))
    wait_for(lambda: len(results) >= 1, 60, "the first turn's result")
    deadline = time.time() + 15
    post = None
    while time.time() < deadline and post is None:
        try:
            line = seen_by_bob.get(timeout=1)
        except queue.Empty:
            continue
        if line.get("text") == "hi from the real client":
            post = line
    if post is None:
        fail("bob never saw the post made through send_channel")
    report["outbound"] = {"from": post.get("from"), "text": post.get("text")}

    # 2. Pull at notify: a #news message waits (it may not wake the session) and reaches the
    #    model with the next prompt, through the UserPromptSubmit hook.
    before = len(model_requests(log))
    subprocess.run([CONCLAVE, "--config-dir", BOB, "send", "--channel", "news", "news-1 <b>bold</b>"], env=env, check=True,
                   capture_output=True, timeout=30)
    time.sleep(4)
    report["notify_woke_session"] = len(model_requests(log)) > before
    if report["notify_woke_session"]:
        fail("a message at notify woke the session")
    say("Anything new?")
    wait_for(lambda: len(results) >= 2, 60, "the second turn's result")
    turn = model_requests(log)[before]
    text = json.dumps(turn["body"]["messages"][-1])
    report["pulled_on_prompt"] = "news-1 &lt;b&gt;bold&lt;/b&gt;" in text and 'channel=\\"news\\"' in text and 'level=\\"notify\\"' in text
    if not report["pulled_on_prompt"]:
        fail("the #news message is not in the next model request: %s" % text[:2000])

    # 3. Push without the channel feature: an idle session is woken by a #lobby message
    #    (converse), with no user input, through the background waiter. The scripted model
    #    acknowledges it with the ack tool; bob, waiting with `send --wait acked`, sees that.
    before = len(model_requests(log))
    started = time.time()
    sender = subprocess.Popen([CONCLAVE, "--config-dir", BOB, "send", "--channel", "lobby", "--wait", "acked", "--timeout", "45s",
                               "ping-2: are you there? @mock-ack"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    processes.append(sender)
    wait_for(lambda: any("ping-2: are you there?" in json.dumps(r["body"]["messages"][-1]) for r in model_requests(log)[before:]),
             30, "a model request carrying the #lobby message (the waiter waking the idle session)")
    report["wake_seconds"] = round(time.time() - started, 2)
    try:
        out, err = sender.communicate(timeout=50)
    except subprocess.TimeoutExpired:
        fail("`conclave send --wait acked` did not return")
    report["sender_wait"] = {"status": sender.returncode, "stdout": out.strip(), "states": [line.strip() for line in err.splitlines()]}
    if sender.returncode != 0 or not any(line.endswith(": acked") for line in report["sender_wait"]["states"]):
        fail("the sender's receipt never reached acked: %s" % report["sender_wait"])
    report["acked_seconds"] = round(time.time() - started, 2)
    wait_for(lambda: len(results) >= 3, 60, "the woken turn's result")

    # 4. Each message reached the model once.
    final = json.dumps(model_requests(log)[-1]["body"]["messages"])
    report["copies_in_final_request"] = {"news-1": final.count("news-1"), "ping-2": final.count("ping-2")}
    if report["copies_in_final_request"] != {"news-1": 1, "ping-2": 1}:
        fail("a message reached the model more than once (or never): %s" % report["copies_in_final_request"])

    # 5. The session ends promptly: the waiter does not hold Claude Code open.
    claude.stdin.close()
    started = time.time()
    try:
        claude.wait(timeout=25)
    except subprocess.TimeoutExpired:
        fail("Claude Code did not exit within 25 s of its input ending (a waiter holding it?)")
    report["exit_seconds"] = round(time.time() - started, 2)
    report["hook_exit_codes"] = sorted(set("%s:%s" % pair for pair in hook_events))

    # 6. Nothing but loopback: no proxy connection, and the mock saw only Messages API calls.
    report["tripwire_hits"] = tripwire.hits
    report["paths"] = sorted(set(entry["path"] for entry in requests(log)))
    if tripwire.hits:
        fail("Claude Code tried to leave loopback: %s" % tripwire.hits)
    if any(not path.startswith("/v1/messages") for path in report["paths"]):
        fail("unexpected API paths: %s" % report["paths"])


if __name__ == "__main__":
    main()
