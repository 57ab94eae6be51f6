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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--baseline", help="another conclave binary, measured in the same run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each fan-out (the median is reported)")
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--out", default=os.path.join(BENCH, "results", "delivery.json"))
    options = parser.parse_args()
    suite.use_build("release")
    if not options.skip_build:
        suite.build("release")
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "rounds": options.rounds,
               "messages": options.messages, "subscribers": 100, "body": 200, "paced": PACED, "runs": {}}
    runs = results["runs"]
    work = tempfile.mkdtemp(prefix="conclave-delivery-")
    servers = [("conclave", suite.CONCLAVE)] + ([("baseline", options.baseline)] if options.baseline else [])

    def fanout(name, target, url, pid):
        for paced in (False, True):
            key = f"{name}{'_paced' if paced else ''}"
            samples = []
            for _ in range(options.rounds):
                result = load("fanout", "--target", target, "--url", url, "--server-pid", pid, "--subscribers", 100,
                              "--messages", options.messages, *(PACED if paced else []))
                if "error" in result:
                    raise RuntimeError(f"{key}: {result['error']}")
                samples.append(result)
            runs[key] = {"samples": samples, **{field: statistics.median(s[field] for s in samples) for field in (
                "deliveries_per_second", "server_cpu_us_per_delivery", "load_generator_cpu_us_per_delivery")}}
            log(f"{key}: {runs[key]['deliveries_per_second']:,.0f}/s, server {runs[key]['server_cpu_us_per_delivery']} µs, "
                f"generator {runs[key]['load_generator_cpu_us_per_delivery']} µs")

    try:
        for index, (name, binary) in enumerate(servers):
            server = conclave(binary, os.path.join(work, f"data{index}"))
            try:
                fanout(name, "conclave", server.url, server.process.pid)
                latency = load("latency", "--url", server.url, "--subscribers", 100, "--rate", 1000, "--duration", 10)
                runs[f"{name}_latency_1000"] = latency
                log(f"{name} latency: {latency}")
            finally:
                server.stop()
        for target, command in (("floor", "floor-server"), ("rawfloor", "raw-floor-server")):
            floor = Server([suite.LOAD, command], r"listening (\d+)")
            try:
                fanout(target, target, floor.url, floor.process.pid)
            finally:
                floor.stop()
        redis = redis_server()
        if redis is None:
            raise RuntimeError("redis-server is required (apt-get install redis-server)")
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
