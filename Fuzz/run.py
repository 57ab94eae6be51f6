#!/usr/bin/env python3
"""Builds the fuzz targets and runs each for a bounded number of inputs (or seconds).

    scripts/fuzz [--runs N | --seconds S] [--jobs J] [target ...]

Targets: decoder (FuzzFrameDecoder), session (FuzzServerSession), bridge (FuzzBridgeInput).
Corpora and crash artifacts live under .build-fuzz/ (outside git). Seeds come from the golden
frames in Tests/ConclaveProtocolTests/Resources/vectors.json and a few MCP lines. The exit status
is non-zero when any target found a crash or a timeout; the input is in .build-fuzz/artifacts/.
"""
import argparse, json, os, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ = os.path.join(ROOT, "Fuzz")
WORK = os.path.join(ROOT, ".build-fuzz")
TARGETS = {"decoder": "FuzzFrameDecoder", "session": "FuzzServerSession", "bridge": "FuzzBridgeInput"}
FLAGS = ["-Xswiftc", "-sanitize=fuzzer", "-Xswiftc", "-enable-testing"]


# Extension frames (Docs/PROTOCOL.md golden vectors), which the reference's vectors lack: a
# signed post, a signed whisper, a key lookup and a signed history page; a key announcement, a
# member-key lookup, a channel marked encrypted, a key share, and their lists.
SIGNATURE = "fbd007" + "10" + "ab" * 16 + "20" + "ef" * 32 + "40" + "cd" * 64
ANNOUNCEMENT = "20" + "01" * 32 + "fbd007" + "40" + "02" * 64
SHARE = "03622f6e" + "10" + "05" * 16 + "03060606" + "fbd007" + "20" + "07" * 32 + "40" + "08" * 64
EXTENSION_FRAMES = [
    "48036f707300026869" + SIGNATURE,
    "49016101620163000178" + SIGNATURE + "00",
    "4d0161",
    "4c036f707302016101620163fbd0070002686901" + SIGNATURE + "0161016201630a00017800",
    "4f" + ANNOUNCEMENT,
    "50036f7073",
    "52036f7073",
    "53036f707301" + SHARE,
    "54036f7073",
    "56",
]


def vectors():
    with open(os.path.join(ROOT, "Tests/ConclaveProtocolTests/Resources/vectors.json")) as file:
        spec = [bytes.fromhex(v["hex"]) for v in json.load(file)["vectors"] if v["type"] == "ProtocolMessage"]
    return spec + [bytes.fromhex(frame) for frame in EXTENSION_FRAMES]


def record(tag, body):
    return bytes([tag, min(len(body), 255)]) + body[:255]


def seeds(target):
    frames = vectors()
    if target == "decoder":
        return frames
    if target == "session":
        result = []
        for index, frame in enumerate(frames):
            if frame[0] == 8:  # Admin: the harness adds the tag itself for tags below 0x80
                result.append(record(index % 3, frame[1:]))
            result.append(record(0x80 | 0x40 | (index % 3), frame))
        return result
    mcp = [
        {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "join_channel", "arguments": {"channel": "ops", "perm": "act"}}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "send_channel", "arguments": {"channel": "ops", "text": "hi"}}},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "whisper", "arguments": {"target": "boss/m/s", "text": "hi"}}},
        {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "catch_up", "arguments": {"channel": "ops", "since": "1h"}}},
        {"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "set_perm", "arguments": {"channel": "ops", "level": "mute"}}},
        {"jsonrpc": "2.0", "method": "notifications/claude/channel/permission_request",
         "params": {"request_id": "abcde", "tool_name": "Bash", "description": "ls", "input_preview": "ls"}},
        {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 3}},
    ]
    result = []
    for index, message in enumerate(mcp):
        line = json.dumps(message).encode()
        result.append(b"\x00" + record(0, line) + record(1, frames[index % len(frames)]))
    result.append(b"\x01" + record(0, b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}'))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, help="inputs per target (default 100000)")
    parser.add_argument("--seconds", type=int, help="time per target instead of a count")
    parser.add_argument("--jobs", type=int, default=1, help="parallel fuzzing processes per target")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("targets", nargs="*", default=list(TARGETS))
    args = parser.parse_args()
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; choose from {', '.join(TARGETS)}")
    if not args.skip_build:
        subprocess.run(["swift", "build", "-c", "release", *FLAGS], cwd=FUZZ, check=True)
    binaries = subprocess.run(["swift", "build", "-c", "release", *FLAGS, "--show-bin-path"], cwd=FUZZ,
                              check=True, capture_output=True, text=True).stdout.strip()
    failed = False
    summary = []
    for target in args.targets:
        corpus = os.path.join(WORK, "corpus", target)
        artifacts = os.path.join(WORK, "artifacts", target) + "/"
        os.makedirs(corpus, exist_ok=True)
        os.makedirs(artifacts, exist_ok=True)
        for index, seed in enumerate(seeds(target)):
            with open(os.path.join(corpus, f"seed-{index:03}"), "wb") as file:
                file.write(seed)
        command = [os.path.join(binaries, TARGETS[target]), corpus, "-print_final_stats=1", "-print_funcs=0",
                   "-timeout=10", "-rss_limit_mb=2048", f"-artifact_prefix={artifacts}"]
        if args.seconds:
            command.append(f"-max_total_time={args.seconds}")
        else:
            command.append(f"-runs={args.runs or 100_000}")
        if target == "bridge":
            command.append("-dict=" + os.path.join(FUZZ, "dictionaries", "bridge.dict"))
        if target == "session":
            # A few dozen frames reach every handler; longer inputs only slow the run down (the
            # rate fell from 4,000 to 860 inputs/s as inputs grew to 4 KiB).
            command.append("-max_len=1024")
        if args.jobs > 1:
            command += [f"-jobs={args.jobs}", f"-workers={args.jobs}"]
        print(f"fuzz {target}: {' '.join(command[1:])}", flush=True)
        result = subprocess.run(command, cwd=WORK, capture_output=True, text=True)
        output = result.stdout + result.stderr
        if args.jobs > 1:
            # libFuzzer copies each job's log to its own stderr when the job ends, so the output
            # above already holds them; reading the files as well would count every input twice.
            for name in os.listdir(WORK):
                if name.startswith("fuzz-") and name.endswith(".log"):
                    os.remove(os.path.join(WORK, name))
        executed = sum(int(n) for n in re.findall(r"stat::number_of_executed_units: (\d+)", output))
        coverage = max([int(n) for n in re.findall(r"cov: (\d+)", output)] or [0])
        interrupted = "run interrupted" in output
        crashed = not interrupted and (result.returncode != 0 or "ERROR: libFuzzer" in output or "deadly signal" in output)
        failed |= crashed
        summary.append((target, executed, coverage, "FOUND A PROBLEM" if crashed else "interrupted, nothing found" if interrupted else "ok"))
        if crashed:
            print(output[-4000:], file=sys.stderr)
    print("\n| Target | Inputs executed | Coverage (edges) | Result |\n|---|---:|---:|---|")
    for target, executed, coverage, verdict in summary:
        print(f"| {TARGETS[target]} | {executed:,} | {coverage:,} | {verdict} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
