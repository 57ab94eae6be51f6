"""The benchmark suite: builds in release, starts what it needs on loopback, runs every scenario,
prints a table and writes it as JSON.

Usage: python3 Benchmarks/Scripts/suite.py [--quick] [--out FILE]

Scenarios (issue 6): codec (CodecProbe, wall clock; `make bench` also runs the ordo-one codec
benchmarks), handshakes, fan-out 1 -> N for Conclave, the same-stack broadcast floor and Redis
pub/sub, latency at fixed rates, idle sessions, the agent path (bridge -> bridge, cold start,
`conclave send`), and history. Every server is started and stopped here, on 127.0.0.1 only.
"""

import argparse
import json
import os
import platform
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
CONCLAVE = os.path.join(ROOT, ".build", "release", "conclave")
BENCH = os.path.join(ROOT, "Benchmarks")
LOAD = os.path.join(BENCH, ".build", "release", "ConclaveLoad")
PROBE = os.path.join(BENCH, ".build", "release", "CodecProbe")


def log(text):
    print(text, file=sys.stderr, flush=True)


def build():
    log("building conclave and the load generator in release mode…")
    subprocess.run(["swift", "build", "-c", "release", "--product", "conclave"], cwd=ROOT, check=True)
    for product in ("ConclaveLoad", "CodecProbe"):
        subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=BENCH, check=True)


class Server:
    """A `conclave serve` (or another server) on a free loopback port."""

    def __init__(self, arguments, pattern, env=None):
        self.process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env={**os.environ, **(env or {})}, text=True)
        self.port = None
        deadline = time.time() + 60
        stream = self.process.stderr if "conclave" in os.path.basename(arguments[0]) and arguments[1] == "serve" else self.process.stdout
        while self.port is None and time.time() < deadline:
            line = stream.readline()
            if not line:
                raise RuntimeError(f"{arguments[0]} exited before listening")
            match = re.search(pattern, line)
            if match:
                self.port = int(match.group(1))
        if self.port is None:
            raise RuntimeError(f"{arguments[0]} did not start listening within 60 s")
        # Keep reading its output, so a chatty server never blocks on a full pipe.
        for pipe in (self.process.stdout, self.process.stderr):
            threading.Thread(target=lambda pipe=pipe: [None for _ in pipe], daemon=True).start()

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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller counts and shorter holds")
    parser.add_argument("--out", default=os.path.join(BENCH, "results", "latest.json"))
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--resume", action="store_true", help="keep the scenarios already in --out, run the others")
    parser.add_argument("--soak-minutes", type=int, default=30, help="length of the soak (0 skips it; --quick: 2)")
    options = parser.parse_args()
    if not options.skip_build:
        build()
    quick = options.quick
    work = tempfile.mkdtemp(prefix="conclave-suite-")
    results = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
               "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "quick": quick, "scenarios": {}}
    scenarios = results["scenarios"]
    if options.resume and os.path.exists(options.out):
        with open(options.out) as file:
            previous = json.load(file)
        scenarios.update(previous["scenarios"])
        results["date"] = previous["date"] + " (resumed " + results["date"] + ")"

    def needed(*keys):
        return not all(key in scenarios for key in keys)
    try:
        # 1. Codec.
        count = 500_000 if quick else 2_000_000
        for mode in ("decode", "encode") if needed("codec_decode", "codec_encode") else ():
            started = time.perf_counter()
            subprocess.run([PROBE, str(count), mode], check=True, capture_output=True)
            scenarios[f"codec_{mode}"] = {"frames_per_second": int(count / (time.perf_counter() - started))}
        log(f"codec: {scenarios.get('codec_decode')} {scenarios.get('codec_encode')}")

        # 2, 3, 4, 7: against a server with a persistent store (history on, as in production).
        main_keys = ["handshake", "history"] + [f"fanout_conclave_{n}" for n in (10, 100, 1000)] + [f"latency_{r}" for r in (1000, 10000)]
        if needed(*main_keys):
            server = conclave_server(os.path.join(work, "data"))
            try:
                scenarios["handshake"] = load("handshake", "--url", server.url, "--connections", 500 if quick else 3000)
                log(f"handshake: {scenarios['handshake']}")
                for subscribers in (10, 100, 1000):
                    messages = max(20, (20_000 if quick else 400_000) // subscribers)
                    scenarios[f"fanout_conclave_{subscribers}"] = load("fanout", "--target", "conclave", "--url", server.url,
                                                                       "--subscribers", subscribers, "--messages", messages)
                    log(f"fanout conclave {subscribers}: {scenarios[f'fanout_conclave_{subscribers}']}")
                for rate in (1000, 10000):
                    scenarios[f"latency_{rate}"] = load("latency", "--url", server.url, "--subscribers", 100, "--rate", rate,
                                                        "--duration", 3 if quick or rate > 1000 else 10)
                    log(f"latency {rate}/s: {scenarios[f'latency_{rate}']}")
                scenarios["history"] = load("history", "--url", server.url, "--posts", 20_000, "--reads", 0)
            finally:
                server.stop()
            # Grow the history to the target row count directly in SQLite (posting a million messages
            # through the protocol would take minutes), then time ReadSince pages against it.
            rows = 100_000 if quick else 1_000_000
            scenarios["history"]["rows"] = grow_history(os.path.join(work, "data", "conclave.sqlite"), rows)
            server = conclave_server(os.path.join(work, "data"))
            try:
                reads = load("history", "--url", server.url, "--posts", 0, "--reads", 300)
                scenarios["history"].update({key: reads[key] for key in ("read_page_messages", "read_p50_ms", "read_p99_ms")})
                log(f"history: {scenarios['history']}")
            finally:
                server.stop()

        # Idle sessions on a fresh server, so its baseline memory is its own.
        if needed("idle"):
            server = conclave_server(os.path.join(work, "idle"))
            try:
                scenarios["idle"] = load("idle", "--url", server.url, "--server-pid", server.process.pid,
                                         "--sessions", 1000 if quick else 10_000, "--hold", 10 if quick else 60)
                log(f"idle: {scenarios['idle']}")
            finally:
                server.stop()

        # Anchors: the same-stack broadcast floor and Redis pub/sub, same bodies and counts.
        if needed(*[f"fanout_floor_{n}" for n in (10, 100, 1000)]):
            floor = Server([LOAD, "floor-server"], r"listening (\d+)")
            try:
                for subscribers in (10, 100, 1000):
                    messages = max(20, (20_000 if quick else 400_000) // subscribers)
                    scenarios[f"fanout_floor_{subscribers}"] = load("fanout", "--target", "floor", "--url", floor.url,
                                                                    "--subscribers", subscribers, "--messages", messages)
                    log(f"fanout floor {subscribers}: {scenarios[f'fanout_floor_{subscribers}']}")
            finally:
                floor.stop()
        if needed(*[f"fanout_redis_{n}" for n in (10, 100, 1000)]):
            redis = redis_server()
            if redis is None:
                log("redis-server is not available: the Redis anchor is skipped")
            else:
                process, port = redis
                try:
                    for subscribers in (10, 100, 1000):
                        messages = max(20, (20_000 if quick else 400_000) // subscribers)
                        scenarios[f"fanout_redis_{subscribers}"] = load("fanout", "--target", "redis", "--url", f"127.0.0.1:{port}",
                                                                        "--subscribers", subscribers, "--messages", messages)
                        log(f"fanout redis {subscribers}: {scenarios[f'fanout_redis_{subscribers}']}")
                finally:
                    process.terminate()
                    process.wait()

        # 6. Agent path.
        if needed("agent_path", "conclave_send"):
            agent = subprocess.run([sys.executable, os.path.join(BENCH, "Scripts", "bridge_latency.py"), CONCLAVE,
                                    "200" if quick else "1000"], capture_output=True, text=True, check=True)
            scenarios["agent_path"] = json.loads(agent.stdout.strip().splitlines()[-1])
            server = conclave_server(os.path.join(work, "send"))
            try:
                config = os.path.join(work, "sender")
                subprocess.run([CONCLAVE, "--config-dir", config, "register", "--server", server.url, "--username", "sender"],
                               check=True, capture_output=True)
                subprocess.run([CONCLAVE, "--config-dir", config, "channel", "create", "send"], check=True, capture_output=True)
                timings = []
                for _ in range(20 if quick else 50):
                    started = time.perf_counter()
                    subprocess.run([CONCLAVE, "--config-dir", config, "send", "--channel", "send", "hello"], check=True, capture_output=True)
                    timings.append((time.perf_counter() - started) * 1000)
                scenarios["conclave_send"] = {"p50_ms": round(statistics.median(timings), 2), "max_ms": round(max(timings), 2)}
            finally:
                server.stop()
            log(f"agent path: {scenarios['agent_path']} send: {scenarios['conclave_send']}")

        # Hardening (issue 7): hostile peers, crash consistency, and the soak. Each starts its own
        # `conclave serve` (default limits for hostile and soak).
        if needed("hostile"):
            scenarios["hostile"] = load("hostile", "--conclave", CONCLAVE, "--seconds", 10 if quick else 20,
                                        "--flood", 500 if quick else 2000, "--users", 50 if quick else 200)
            log(f"hostile: {scenarios['hostile']}")
        if needed("crash"):
            scenarios["crash"] = load("crash", "--conclave", CONCLAVE, "--rounds", 3 if quick else 20)
            log(f"crash: {scenarios['crash']}")
        if needed("soak") and options.soak_minutes > 0:
            minutes = 2 if quick else options.soak_minutes
            scenarios["soak"] = load("soak", "--conclave", CONCLAVE, "--minutes", minutes, timeout=minutes * 60 + 600)
            log(f"soak: {scenarios['soak']}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        # Whatever ran is kept, so an interrupted run can be resumed.
        os.makedirs(os.path.dirname(options.out), exist_ok=True)
        with open(options.out, "w") as file:
            json.dump(results, file, indent=2, sort_keys=True)

    print(render(results))
    failures = gate(results)
    for failure in failures:
        print(f"suite: FAILED: {failure}", file=sys.stderr)
    if failures:
        sys.exit(1)


def gate(results):
    """What the hardening evidence promises, checked: a run that breaks a promise fails the suite."""
    s = results["scenarios"]
    failures = [f"{key}: {value['error'].splitlines()[-1] if value['error'] else 'error'}"
                for key, value in s.items() if isinstance(value, dict) and "error" in value]
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
    row(lambda: f"| Handshakes (32 concurrent) | {s['handshake']['connections_per_second']:,} connections/s | |")
    for n in (10, 100, 1000):
        def fanout(n=n):
            ours = s[f"fanout_conclave_{n}"]["deliveries_per_second"]
            ratios = []
            for name, label in (("floor", "floor"), ("redis", "Redis")):
                anchor = s.get(f"fanout_{name}_{n}", {}).get("deliveries_per_second")
                if anchor:
                    ratios.append(f"{ours / anchor:.2f}× {label} ({anchor:,}/s)")
            return f"| Fan-out 1 → {n} (persisted) | {ours:,} deliveries/s | {'; '.join(ratios)} |"
        row(fanout)
    for rate in (1000, 10000):
        row(lambda rate=rate: (lambda r: f"| Latency at {rate:,} msgs/s into 100 | p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, p99.9 {r['p999_ms']} ms, lost {r['lost']:,} of {r['expected_deliveries']:,} | |")(s[f"latency_{rate}"]))
    row(lambda: (lambda i: f"| {i['sessions']:,} idle sessions, {i['hold_seconds']} s | {i['rss_per_session_kib']} KiB RSS/session, {i['server_cpu_percent_while_idle']}% CPU | |")(s["idle"]))
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
