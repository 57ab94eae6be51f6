"""The delivery path side by side (issue 18): fan-out 1 -> 100 with fast and with paced subscribers,
server CPU per delivery from /proc, against Redis pub/sub, the same-stack floor and a raw SwiftNIO
floor, all in one run; plus publish-to-receive latency at 1,000 msgs/s into 100.

Usage: python3 Benchmarks/Scripts/delivery.py [--skip-build] [--baseline OTHER_CONCLAVE] [--rounds N]

`--baseline` measures another `conclave` binary (an earlier commit's release build) in the same run,
interleaved with this one, so "what each change bought" compares like with like.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import suite  # noqa: E402
from suite import BENCH, ROOT, PACED, Server, load, log, redis_server  # noqa: E402


def conclave(binary, data_dir):
    return Server([binary, "serve", "--unlimited", "--bind", "127.0.0.1:0", "--data-dir", data_dir],
                  r'"addr":"127\.0\.0\.1:(\d+)"', env={"CONCLAVE_LOG_FORMAT": "json"})


def flush_latency(directory, count=500):
    """p50/p99 of one 4 KiB append plus fdatasync on the disk the data directories use."""
    path = os.path.join(directory, "flush-probe")
    samples = []
    with open(path, "ab") as file:
        for _ in range(count):
            started = time.perf_counter()
            file.write(b"x" * 4096)
            file.flush()
            os.fdatasync(file.fileno())
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50": round(samples[len(samples) // 2], 3), "p99": round(samples[int(len(samples) * 0.99)], 3)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--baseline", help="another conclave binary, measured in the same run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each fan-out (the median is reported)")
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--out", default=os.path.join(BENCH, "results", "delivery.json"))
    parser.add_argument("--only", default="conclave,floor,rawfloor,redis", help="comma-separated: conclave (and baseline), floor, rawfloor, redis")
    parser.add_argument("--merge", action="store_true", help="keep the runs already in --out")
    options = parser.parse_args()
    suite.use_build("release")
    if not options.skip_build:
        suite.build("release")
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "rounds": options.rounds,
               "messages": options.messages, "subscribers": 100, "body": 200, "paced": PACED, "runs": {}}
    runs = results["runs"]
    if options.merge and os.path.exists(options.out):
        with open(options.out) as file:
            runs.update(json.load(file)["runs"])
    only = set(options.only.split(","))
    work = tempfile.mkdtemp(prefix="conclave-delivery-")
    servers = [("conclave", suite.CONCLAVE)] + ([("baseline", options.baseline)] if options.baseline else [])

    def sample(key, target, url, pid, paced):
        result = load("fanout", "--target", target, "--url", url, "--server-pid", pid, "--subscribers", 100,
                      "--messages", options.messages, *(PACED if paced else []))
        if "error" in result:
            raise RuntimeError(f"{key}: {result['error']}")
        runs.setdefault(key, {"samples": []})["samples"].append(result)

    def summarise(key):
        samples = runs[key]["samples"]
        runs[key].update({field: statistics.median(s[field] for s in samples) for field in (
            "deliveries_per_second", "server_cpu_us_per_delivery", "load_generator_cpu_us_per_delivery")})
        log(f"{key}: {runs[key]['deliveries_per_second']:,.0f}/s, server {runs[key]['server_cpu_us_per_delivery']} µs, "
            f"generator {runs[key]['load_generator_cpu_us_per_delivery']} µs")

    def fanout(name, target, url, pid):
        for paced in (False, True):
            key = f"{name}{'_paced' if paced else ''}"
            for _ in range(options.rounds):
                sample(key, target, url, pid, paced)
            summarise(key)

    try:
        if "conclave" in only:
            # This build and the baseline side by side, rounds interleaved, so the drift of a shared
            # machine falls on both alike.
            started = [(name, conclave(binary, os.path.join(work, f"data{index}"))) for index, (name, binary) in enumerate(servers)]
            try:
                for _ in range(options.rounds):
                    for paced in (False, True):
                        for name, server in started:
                            sample(f"{name}{'_paced' if paced else ''}", "conclave", server.url, server.process.pid, paced)
                for name, _ in started:
                    summarise(name)
                    summarise(f"{name}_paced")
                for name, server in started:
                    latency = load("latency", "--url", server.url, "--subscribers", 100, "--rate", 1000, "--duration", 10)
                    runs[f"{name}_latency_1000"] = latency
                    log(f"{name} latency: {latency}")
            finally:
                for _, server in started:
                    server.stop()
            # The same latency run without a disk (in-memory store), and what the disk's flush
            # costs: the persisted run waits for one WAL flush per commit.
            server = Server([suite.CONCLAVE, "serve", "--ephemeral", "--unlimited", "--bind", "127.0.0.1:0"],
                            r'"addr":"127\.0\.0\.1:(\d+)"', env={"CONCLAVE_LOG_FORMAT": "json"})
            try:
                runs["conclave_ephemeral_latency_1000"] = load("latency", "--url", server.url, "--subscribers", 100,
                                                               "--rate", 1000, "--duration", 10)
                log(f"conclave (in-memory store) latency: {runs['conclave_ephemeral_latency_1000']}")
            finally:
                server.stop()
            runs["disk_flush_ms"] = flush_latency(work)
            log(f"disk flush: {runs['disk_flush_ms']}")
        for target, command in (("floor", "floor-server"), ("rawfloor", "raw-floor-server")):
            if target not in only:
                continue
            floor = Server([suite.LOAD, command], r"listening (\d+)")
            try:
                fanout(target, target, floor.url, floor.process.pid)
            finally:
                floor.stop()
        redis = redis_server() if "redis" in only else None
        if "redis" in only and redis is None:
            raise RuntimeError("redis-server is required (apt-get install redis-server)")
        if redis is not None:
            process, port = redis
            try:
                fanout("redis", "redis", f"127.0.0.1:{port}", process.pid)
            finally:
                process.terminate()
                process.wait(timeout=15)
    finally:
        os.makedirs(os.path.dirname(options.out), exist_ok=True)
        with open(options.out, "w") as file:
            json.dump(results, file, indent=2, sort_keys=True)
    print(render(results))


def render(results):
    runs = results["runs"]
    lines = ["| Server | Fast: deliveries/s | Fast: server µs/delivery | Paced: deliveries/s | Paced: server µs/delivery |",
             "|---|---:|---:|---:|---:|"]
    for name in ("conclave", "baseline", "floor", "rawfloor", "redis"):
        if name not in runs:
            continue
        fast, paced = runs[name], runs.get(f"{name}_paced", {})
        lines.append(f"| {name} | {fast['deliveries_per_second']:,.0f} | {fast['server_cpu_us_per_delivery']:.3f} | "
                     f"{paced.get('deliveries_per_second', 0):,.0f} | {paced.get('server_cpu_us_per_delivery', 0):.3f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
