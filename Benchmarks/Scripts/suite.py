"""The benchmark suite: builds in release, starts what it needs on loopback, runs every scenario,
prints a table and writes it as JSON.

Usage: python3 Benchmarks/Scripts/suite.py [--quick | --smoke] [--debug] [--out FILE]

`--smoke` runs every scenario with tiny counts (CI does, on the debug build: `--smoke --debug
--skip-build`), so the harness cannot rot unnoticed; its figures mean nothing. Every wait has a
deadline: a scenario that stops making progress fails loudly instead of hanging the suite.

Scenarios (issue 6): codec (CodecProbe, wall clock; `make bench` also runs the ordo-one codec
benchmarks), handshakes, fan-out 1 -> N for Conclave, the same-stack broadcast floor and Redis
pub/sub, latency at fixed rates, idle sessions, the agent path (bridge -> bridge, cold start,
`conclave send`), and history. Every server is started and stopped here, on 127.0.0.1 only.
"""

import argparse
import json
import os
import platform
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BENCH = os.path.join(ROOT, "Benchmarks")
CONCLAVE = LOAD = PROBE = None


def use_build(configuration):
    """Points at the binaries of one build configuration of the main package."""
    global CONCLAVE, LOAD, PROBE
    directory = os.path.join(ROOT, ".build", configuration)
    CONCLAVE, LOAD, PROBE = (os.path.join(directory, name) for name in ("conclave", "ConclaveLoad", "CodecProbe"))
    # Another build of the server (an earlier commit's, for a before/after in one run).
    CONCLAVE = os.environ.get("CONCLAVE_BIN", CONCLAVE)


def log(text):
    print(text, file=sys.stderr, flush=True)


def build(configuration):
    log(f"building conclave and the load generator ({configuration})…")
    for product in ("conclave", "ConclaveLoad", "CodecProbe"):
        subprocess.run(["swift", "build", "-c", configuration, "--product", product], cwd=ROOT, check=True)


class Server:
    """A `conclave serve` (or another server) on a free loopback port."""

    def __init__(self, arguments, pattern, env=None):
        self.process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env={**os.environ, **(env or {})}, text=True)
        self.port = None
        stream = self.process.stderr if "conclave" in os.path.basename(arguments[0]) and arguments[1] == "serve" else self.process.stdout
        lines = queue.Queue()
        # Keep reading its output, so a chatty server never blocks on a full pipe; the first lines
        # also go to the queue, read below with a deadline (a silent server must not hang us).
        for pipe in (self.process.stdout, self.process.stderr):
            threading.Thread(target=lambda pipe=pipe: [lines.put(line) if pipe is stream else None for line in pipe] + [lines.put(None)],
                             daemon=True).start()
        deadline = time.time() + 60
        while self.port is None:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.time()))
            except queue.Empty:
                self.process.kill()
                raise RuntimeError(f"{arguments[0]} did not start listening within 60 s")
            if line is None:
                raise RuntimeError(f"{arguments[0]} exited before listening")
            match = re.search(pattern, line)
            if match:
                self.port = int(match.group(1))

    @property
    def url(self):
        return f"ws://127.0.0.1:{self.port}/"

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def conclave_server(data_dir):
    return Server([CONCLAVE, "serve", "--unlimited", "--bind", "127.0.0.1:0", "--data-dir", data_dir],
                  r'"addr":"127\.0\.0\.1:(\d+)"', env={"CONCLAVE_LOG_FORMAT": "json"})


def load(*arguments, timeout=600):
    """Runs one scenario; a failed scenario is recorded with its error, not fatal to the suite."""
    try:
        result = subprocess.run([LOAD, *map(str, arguments)], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    if result.returncode != 0:
        failure = {"error": result.stderr.strip()[-500:] or f"exit status {result.returncode}"}
        try:
            # A scenario that ran but failed its check (a growing soak) still reports its figures.
            return {**json.loads(result.stdout.strip().splitlines()[-1]), **failure}
        except (ValueError, IndexError):
            return failure
    return json.loads(result.stdout.strip().splitlines()[-1])


def redis_server():
    binary = shutil.which("redis-server")
    if binary is None and os.geteuid() == 0:
        log("installing redis-server (the pub/sub anchor)…")
        subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        binary = shutil.which("redis-server")
    if binary is None:
        return None
    port = 16379 + os.getpid() % 1000
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return process, port


def grow_history(path, rows):
    """Adds rows to channel `history` until it holds `rows` messages; returns the count."""
    import sqlite3
    database = sqlite3.connect(path)
    channel = database.execute("SELECT id FROM channels WHERE name = 'history'").fetchone()[0]
    sender, payload = database.execute("SELECT sender, payload FROM messages WHERE channel_id = ? LIMIT 1", (channel,)).fetchone()
    existing = database.execute("SELECT COUNT(*) FROM messages WHERE channel_id = ?", (channel,)).fetchone()[0]
    now = int(time.time() * 1000)
    missing = max(0, rows - existing)
    # Spread over the last day, oldest first, a few per millisecond.
    start = now - 86_400_000
    database.executemany("INSERT INTO messages (channel_id, sender, payload, ts_ms) VALUES (?, ?, ?, ?)",
                         ((channel, sender, payload, start + index // 12) for index in range(missing)))
    database.commit()
    total = database.execute("SELECT COUNT(*) FROM messages WHERE channel_id = ?", (channel,)).fetchone()[0]
    database.close()
    return total


PACED = ["--read-chunk", 1024, "--read-pause-us", 1000]
"""Paced subscribers: 1 KiB per read, 1 ms apart (about 4,500 frames/s each, 450,000 deliveries/s
for 100): below the server's unpaced rate, so its writes meet full socket buffers."""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller counts and shorter holds")
    parser.add_argument("--smoke", action="store_true", help="tiny counts: checks that every scenario runs, measures nothing")
    parser.add_argument("--debug", action="store_true", help="use (and build) the debug binaries")
    parser.add_argument("--out", default=None, help="JSON results (default Benchmarks/results/latest.json; smoke: a temp file)")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--resume", action="store_true", help="keep the scenarios already in --out, run the others")
    parser.add_argument("--soak-minutes", type=int, default=30, help="length of the soak (0 skips it; --quick: 2, --smoke: 1)")
    parser.add_argument("--only", default=None, help="comma-separated scenario groups: codec,main,idle,anchors,agent,hardening")
    options = parser.parse_args()
    configuration = "debug" if options.debug else "release"
    use_build(configuration)
    if not options.skip_build:
        build(configuration)
    quick, smoke = options.quick, options.smoke
    mode = "smoke" if smoke else "quick" if quick else "full"
    out = options.out or (os.path.join(tempfile.gettempdir(), "conclave-suite-smoke.json") if smoke
                          else os.path.join(BENCH, "results", "latest.json"))
    groups = set((options.only or "codec,main,idle,anchors,agent,hardening").split(","))

    def pick(full, quick_value, smoke_value):
        return smoke_value if smoke else quick_value if quick else full

    work = tempfile.mkdtemp(prefix="conclave-suite-")
    results = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
               "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "mode": mode, "build": configuration, "scenarios": {}}
    scenarios = results["scenarios"]
    if options.resume and os.path.exists(out):
        with open(out) as file:
            previous = json.load(file)
        scenarios.update(previous["scenarios"])
        results["date"] = previous["date"] + " (resumed " + results["date"] + ")"

    def needed(group, *keys):
        return group in groups and not all(key in scenarios for key in keys)

    fan_sizes = (10, 100, 1000)

    def fanout_messages(subscribers):
        return max(pick(400, 20, 5), pick(400_000, 20_000, 200) // subscribers)

    def fanouts(target, url, pid):
        """Unpaced fan-out to 10, 100 and 1,000, and paced fan-out to 100, against one server."""
        for subscribers in fan_sizes:
            key = f"fanout_{target}_{subscribers}"
            scenarios[key] = load("fanout", "--target", target, "--url", url, "--server-pid", pid,
                                  "--subscribers", subscribers, "--messages", fanout_messages(subscribers))
            log(f"fanout {target} {subscribers}: {scenarios[key]}")
        key = f"fanout_{target}_100_paced"
        scenarios[key] = load("fanout", "--target", target, "--url", url, "--server-pid", pid, "--subscribers", 100,
                              "--messages", pick(4_000, 1_000, 20), *PACED)
        log(f"fanout {target} 100 paced: {scenarios[key]}")

    try:
        # 1. Codec.
        count = pick(2_000_000, 500_000, 1_000)
        for codec_mode in ("decode", "encode") if needed("codec", "codec_decode", "codec_encode") else ():
            started = time.perf_counter()
            subprocess.run([PROBE, str(count), codec_mode], check=True, capture_output=True, timeout=300)
            scenarios[f"codec_{codec_mode}"] = {"frames_per_second": int(count / (time.perf_counter() - started))}
        log(f"codec: {scenarios.get('codec_decode')} {scenarios.get('codec_encode')}")
        # Signing and verifying a message against the plain path (issue 19).
        if needed("codec", "provenance"):
            scenarios["provenance"] = load("provenance", "--messages", pick(20_000, 5_000, 50))
            log(f"provenance: {scenarios['provenance']}")

        # 2, 3, 4, 7: against a server with a persistent store (history on, as in production).
        main_keys = ["handshake", "history", "fanout_conclave_100_paced"] + [f"fanout_conclave_{n}" for n in fan_sizes] \
            + [f"latency_{r}" for r in (1000, 10000)]
        if needed("main", *main_keys):
            server = conclave_server(os.path.join(work, "data"))
            try:
                scenarios["handshake"] = load("handshake", "--url", server.url, "--connections", pick(3000, 500, 20))
                log(f"handshake: {scenarios['handshake']}")
                fanouts("conclave", server.url, server.process.pid)
                for rate in (1000, 10000):
                    scenarios[f"latency_{rate}"] = load("latency", "--url", server.url, "--subscribers", pick(100, 100, 10),
                                                        "--rate", pick(rate, rate, rate // 10),
                                                        "--duration", pick(3 if rate > 1000 else 10, 3, 1))
                    log(f"latency {rate}/s: {scenarios[f'latency_{rate}']}")
                scenarios["history"] = load("history", "--url", server.url, "--posts", pick(20_000, 20_000, 200), "--reads", 0)
            finally:
                server.stop()
            # Grow the history to the target row count directly in SQLite (posting a million messages
            # through the protocol would take minutes), then time ReadSince pages against it.
            if "error" not in scenarios["history"]:
                scenarios["history"]["rows"] = grow_history(os.path.join(work, "data", "conclave.sqlite"), pick(1_000_000, 100_000, 2_000))
                server = conclave_server(os.path.join(work, "data"))
                try:
                    reads = load("history", "--url", server.url, "--posts", 0, "--reads", pick(300, 300, 5))
                    scenarios["history"].update({key: reads.get(key) for key in ("read_page_messages", "read_p50_ms", "read_p99_ms", "error") if key in reads})
                    log(f"history: {scenarios['history']}")
                finally:
                    server.stop()

        # Idle sessions on a fresh server, so its baseline memory is its own.
        if needed("idle", "idle"):
            server = conclave_server(os.path.join(work, "idle"))
            try:
                scenarios["idle"] = idle_sessions(server, sessions=pick(18_000, 3_000, 60), hold=pick(60, 10, 2))
                log(f"idle: {scenarios['idle']}")
            finally:
                server.stop()
            # The same count of plain WebSocket connections to each floor: what the stack alone costs.
            for target, command in (("floor", "floor-server"), ("rawfloor", "raw-floor-server")):
                floor = Server([LOAD, command], r"listening (\d+)")
                try:
                    scenarios[f"idle_{target}"] = idle_sessions(floor, sessions=pick(18_000, 3_000, 60), hold=pick(10, 5, 2), floor=True)
                    log(f"idle {target}: {scenarios[f'idle_{target}']}")
                finally:
                    floor.stop()

        # Anchors: the same-stack broadcast floor, a raw SwiftNIO floor and Redis pub/sub, with the
        # same bodies, counts and pacing.
        for target, command in (("floor", "floor-server"), ("rawfloor", "raw-floor-server")):
            if needed("anchors", *[f"fanout_{target}_{n}" for n in fan_sizes]):
                floor = Server([LOAD, command], r"listening (\d+)")
                try:
                    fanouts(target, floor.url, floor.process.pid)
                finally:
                    floor.stop()
        if needed("anchors", *[f"fanout_redis_{n}" for n in fan_sizes]):
            redis = redis_server()
            if redis is None:
                raise RuntimeError("redis-server is not installed (apt-get install redis-server): the Redis anchor is required")
            process, port = redis
            try:
                fanouts("redis", f"127.0.0.1:{port}", process.pid)
            finally:
                process.terminate()
                process.wait(timeout=15)

        # 6. Agent path.
        if needed("agent", "agent_path", "conclave_send"):
            try:
                agent = subprocess.run([sys.executable, os.path.join(BENCH, "Scripts", "bridge_latency.py"), CONCLAVE,
                                        str(pick(1000, 200, 10))], capture_output=True, text=True, timeout=600)
                if agent.returncode != 0:
                    scenarios["agent_path"] = {"error": agent.stderr.strip()[-500:] or f"exit status {agent.returncode}"}
                else:
                    scenarios["agent_path"] = json.loads(agent.stdout.strip().splitlines()[-1])
            except subprocess.TimeoutExpired:
                scenarios["agent_path"] = {"error": "bridge_latency.py timed out after 600 s"}
            server = conclave_server(os.path.join(work, "send"))
            try:
                config = os.path.join(work, "sender")
                subprocess.run([CONCLAVE, "--config-dir", config, "register", "--server", server.url, "--username", "sender"],
                               check=True, capture_output=True, timeout=60)
                subprocess.run([CONCLAVE, "--config-dir", config, "channel", "create", "send"], check=True, capture_output=True, timeout=60)
                timings = []
                for _ in range(pick(50, 20, 3)):
                    started = time.perf_counter()
                    subprocess.run([CONCLAVE, "--config-dir", config, "send", "--channel", "send", "hello"],
                                   check=True, capture_output=True, timeout=60)
                    timings.append((time.perf_counter() - started) * 1000)
                scenarios["conclave_send"] = {"p50_ms": round(statistics.median(timings), 2), "max_ms": round(max(timings), 2)}
            finally:
                server.stop()
            log(f"agent path: {scenarios['agent_path']} send: {scenarios['conclave_send']}")

        # Hardening (issue 7): hostile peers, crash consistency, and the soak. Each starts its own
        # `conclave serve` (default limits for hostile and soak).
        if needed("hardening", "hostile"):
            scenarios["hostile"] = load("hostile", "--conclave", CONCLAVE, "--seconds", pick(20, 10, 3),
                                        "--flood", pick(2000, 500, 50), "--users", pick(200, 50, 5))
            log(f"hostile: {scenarios['hostile']}")
        if needed("hardening", "crash"):
            scenarios["crash"] = load("crash", "--conclave", CONCLAVE, "--rounds", pick(20, 3, 1))
            log(f"crash: {scenarios['crash']}")
        if needed("hardening", "soak") and options.soak_minutes > 0:
            minutes = pick(options.soak_minutes, 2, 1)
            scenarios["soak"] = load("soak", "--conclave", CONCLAVE, "--minutes", minutes, timeout=minutes * 60 + 600)
            log(f"soak: {scenarios['soak']}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        # Whatever ran is kept, so an interrupted run can be resumed.
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "w") as file:
            json.dump(results, file, indent=2, sort_keys=True)

    print(render(results))
    failures = gate(results, smoke=smoke)
    for failure in failures:
        print(f"suite: FAILED: {failure}", file=sys.stderr)
    if failures:
        sys.exit(1)


def process_stats(pid):
    """RSS bytes and CPU seconds of a process, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        rss = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return rss, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_sessions(server, sessions, hold, floor=False):
    """Authenticated idle sessions held for `hold` seconds, opened by several load-generator
    processes on different loopback addresses (one process may hold at most 20,000 descriptors
    here, and one source address has a limited range of ports); the server's RSS and CPU are read
    from /proc by this script."""
    processes = max(1, min(4, sessions // 4_500))
    baseline_rss, _ = process_stats(server.process.pid)
    holders = []
    try:
        for index in range(processes):
            count = sessions // processes + (1 if index < sessions % processes else 0)
            holders.append(subprocess.Popen(
                [LOAD, "idle", "--url", server.url, "--sessions", str(count), "--local-address", f"127.0.0.{2 + index}",
                 "--hold", str(hold + 30)] + (["--floor"] if floor else []), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        deadline = time.time() + 300
        for holder in holders:
            # Each prints one line once all its sessions are established.
            ready = queue.Queue()
            threading.Thread(target=lambda h=holder: ready.put(h.stdout.readline()), daemon=True).start()
            try:
                line = ready.get(timeout=max(1, deadline - time.time()))
            except queue.Empty:
                raise RuntimeError("idle sessions were not all established within 300 s")
            if not line.startswith("opened"):
                raise RuntimeError(f"an idle-session holder failed: {line.strip() or holder.stderr.read()[-300:]}")
        time.sleep(2)
        loaded_rss, loaded_cpu = process_stats(server.process.pid)
        time.sleep(hold)
        held_rss, held_cpu = process_stats(server.process.pid)
        return {"sessions": sessions, "hold_seconds": hold, "processes": processes,
                "server_rss_baseline_mib": round(baseline_rss / 1_048_576, 1),
                "server_rss_loaded_mib": round(loaded_rss / 1_048_576, 1),
                "server_rss_after_hold_mib": round(held_rss / 1_048_576, 1),
                "rss_per_session_kib": round((max(loaded_rss, held_rss) - baseline_rss) / sessions / 1024, 2),
                "server_cpu_percent_while_idle": round((held_cpu - loaded_cpu) / hold * 100, 2)}
    except (RuntimeError, OSError) as error:
        return {"error": str(error)}
    finally:
        for holder in holders:
            holder.kill()
            holder.wait(timeout=15)


def gate(results, smoke=False):
    """What the hardening evidence promises, checked: a run that breaks a promise fails the suite.
    A smoke run checks only that every scenario ran (its counts are too small to promise more)."""
    s = results["scenarios"]
    failures = [f"{key}: {value['error'].splitlines()[-1] if value['error'] else 'error'}"
                for key, value in s.items() if isinstance(value, dict) and "error" in value]
    if smoke:
        return failures
    for key, value in s.items():
        if key.startswith("latency_") and isinstance(value, dict) and value.get("lost", 0) > 0:
            failures.append(f"{key}: {value['lost']} deliveries lost")
    crash = s.get("crash", {})
    if crash and "error" not in crash:
        if crash.get("posts_lost", 1) or crash.get("registrations_lost", 1):
            failures.append("crash: acknowledged writes were lost")
        if crash.get("integrity_checks_ok") != crash.get("rounds"):
            failures.append(f"crash: integrity check ok in {crash.get('integrity_checks_ok')} of {crash.get('rounds')} rounds")
    stalled = s.get("hostile", {}).get("with_stalled_readers", {})
    if stalled.get("healthy_deliveries_lost", 0) > 0:
        failures.append(f"hostile: {stalled['healthy_deliveries_lost']} deliveries to healthy sessions lost")
    flood = s.get("hostile", {}).get("pre_auth_flood", {}).get("sign_ins_under_flood", {})
    if flood and flood.get("succeeded") != flood.get("attempted"):
        failures.append(f"hostile: {flood.get('succeeded')}/{flood.get('attempted')} sign-ins under the flood")
    soak = s.get("soak", {})
    if soak and "error" not in soak and not soak.get("flat", False):
        failures.append("soak: memory kept growing")
    return failures


def render(results):
    s = results["scenarios"]
    rows = ["| Scenario | Result | Anchor ratio |", "|---|---|---|"]

    def row(build):
        try:
            rows.append(build())
        except (KeyError, TypeError, ZeroDivisionError):
            pass

    row(lambda: f"| Codec decode / encode (ChannelMsg, 200 B, CodecProbe) | {s['codec_decode']['frames_per_second']:,} / {s['codec_encode']['frames_per_second']:,} frames/s | |")
    row(lambda: (lambda p: f"| Signed message, 200 B (one core) | plain encode {p['plain_encode_us']} µs; sign and encode {p['sign_and_encode_us']} µs; verify {p['verify_us']} µs; encrypt {p['encrypt_us']} µs; decrypt {p['decrypt_us']} µs | |")(s["provenance"]))
    row(lambda: f"| Handshakes (32 concurrent) | {s['handshake']['connections_per_second']:,} connections/s | |")
    for n in ("10", "100", "1000", "100_paced"):
        def fanout(n=n):
            ours = s[f"fanout_conclave_{n}"]
            ratios = []
            for name, label in (("floor", "floor"), ("rawfloor", "raw NIO floor"), ("redis", "Redis")):
                anchor = s.get(f"fanout_{name}_{n}", {})
                if anchor.get("deliveries_per_second"):
                    ratios.append(f"{ours['deliveries_per_second'] / anchor['deliveries_per_second']:.2f}× {label} "
                                  f"({anchor['deliveries_per_second']:,}/s, {anchor.get('server_cpu_us_per_delivery', '?')} µs)")
            title = f"Fan-out 1 → {n.replace('_paced', '')}{' (paced subscribers)' if 'paced' in n else ''}"
            return (f"| {title} | {ours['deliveries_per_second']:,} deliveries/s, server {ours.get('server_cpu_us_per_delivery', '?')} µs CPU "
                    f"per delivery (load generator {ours.get('load_generator_cpu_us_per_delivery', '?')} µs) | {'; '.join(ratios)} |")
        row(fanout)
    for rate in (1000, 10000):
        row(lambda rate=rate: (lambda r: f"| Latency at {rate:,} msgs/s into 100 | p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, p99.9 {r['p999_ms']} ms, lost {r['lost']:,} of {r['expected_deliveries']:,} | |")(s[f"latency_{rate}"]))
    row(lambda: (lambda i: f"| {i['sessions']:,} idle sessions, {i['hold_seconds']} s | {i['rss_per_session_kib']} KiB RSS/session, {i['server_cpu_percent_while_idle']}% CPU ({i['processes']} client processes) | |")(s["idle"]))
    row(lambda: (lambda a: f"| Bridge → bridge | p50 {a['bridge_to_bridge_ms']['p50']} ms, p99 {a['bridge_to_bridge_ms']['p99']} ms | |")(s["agent_path"]))
    row(lambda: f"| Bridge cold start to `initialize` reply | p50 {s['agent_path']['cold_start_to_initialize_ms']['p50']} ms | |")
    row(lambda: f"| `conclave send`, whole process | p50 {s['conclave_send']['p50_ms']} ms | |")
    row(lambda: f"| History: posts persisted, window 64 | {s['history']['persisted_posts_per_second']:,} posts/s | |")
    row(lambda: (lambda h: f"| History: ReadSince page of {h['read_page_messages']} with {h['rows']:,} rows stored | p50 {h['read_p50_ms']} ms, p99 {h['read_p99_ms']} ms | |")(s["history"]))
    row(lambda: (lambda h: f"| Stalled readers ({h['stalled_sessions']} of {h['stalled_sessions'] + h['healthy_sessions']}, {h['body_bytes']:,} B at the offered rate) | all cut within {h['all_stalled_cut_within_seconds']} s; healthy p50 {h['healthy_p50_ms']} ms, p99 {h['healthy_p99_ms']} ms (without stalled readers: {s['hostile']['baseline']['healthy_p50_ms']} / {s['hostile']['baseline']['healthy_p99_ms']} ms); server RSS {h['server_rss_baseline_mib']} → peak {h['server_rss_peak_mib']} MiB; lost {h['healthy_deliveries_lost']} | |")(s["hostile"]["with_stalled_readers"]))
    row(lambda: (lambda f: f"| Pre-authentication flood ({f['flood_connections']:,} connections from another address) | all closed after {f['flood_all_closed_after_seconds']} s; real sign-ins {f['sign_ins_under_flood']['succeeded']}/{f['sign_ins_under_flood']['attempted']}, p50 {f['sign_ins_under_flood']['p50_ms']} ms (quiet: {f['sign_ins_quiet']['succeeded']}/{f['sign_ins_quiet']['attempted']}, p50 {f['sign_ins_quiet']['p50_ms']} ms) | |")(s["hostile"]["pre_auth_flood"]))
    row(lambda: (lambda c: f"| Crash consistency ({c['rounds']} SIGKILLs under load) | {c['posts_acknowledged']:,} acknowledged posts and {c['registrations_acknowledged']:,} registrations; lost {c['posts_lost']} posts, {c['registrations_lost']} registrations; integrity check ok {c['integrity_checks_ok']}/{c['rounds']} | |")(s["crash"]))
    row(lambda: (lambda k: f"| Soak, {k['minutes']} min, {k['sessions']} sessions, {k['posts']:,} posts | RSS {k['rss_early_mib']} → {k['rss_late_mib']} MiB (max {k['rss_max_mib']}); {'flat' if k['flat'] else 'GROWING'} | |")(s["soak"]))
    for key, value in s.items():
        if isinstance(value, dict) and "error" in value:
            rows.append(f"| {key} | failed: {value['error'].splitlines()[-1]} | |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
