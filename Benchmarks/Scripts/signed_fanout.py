#!/usr/bin/env python3
"""What relaying signed posts costs the server: fan-out 1 -> 100 with plain posts and with signed
posts (every subscriber speaking `signatures`), rounds interleaved against one release server.

    python3 Benchmarks/Scripts/signed_fanout.py [--rounds 3] [--messages 2000]

Builds nothing: run `swift build -c release --product conclave` and `--product ConclaveLoad`
first. Prints each round and the medians (deliveries/s, server CPU per delivery in µs).
"""
import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import delivery  # noqa: E402
import suite  # noqa: E402
from suite import load, log  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--messages", type=int, default=2000)
    options = parser.parse_args()
    suite.use_build("release")
    work = tempfile.mkdtemp(prefix="conclave-signed-")
    server = delivery.conclave(suite.CONCLAVE, os.path.join(work, "data"))
    samples = {"plain": [], "signed": []}
    try:
        for round_number in range(options.rounds):
            for kind in ("plain", "signed"):
                result = load("fanout", "--target", "conclave", "--url", server.url, "--server-pid", server.process.pid,
                              "--subscribers", 100, "--messages", options.messages, *(["--signed"] if kind == "signed" else []))
                if "error" in result:
                    raise RuntimeError(f"{kind}: {result['error']}")
                samples[kind].append(result)
                log(f"round {round_number + 1} {kind}: {result['deliveries_per_second']:,}/s, server {result['server_cpu_us_per_delivery']} µs")
    finally:
        server.stop()
    for kind, results in samples.items():
        log(f"{kind} median: {statistics.median(r['deliveries_per_second'] for r in results):,.0f}/s, "
            f"server {statistics.median(r['server_cpu_us_per_delivery'] for r in results)} µs")


if __name__ == "__main__":
    main()
