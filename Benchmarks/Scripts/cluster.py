"""Scale-out benchmarks (issue 17): Conclave instances on one PostgreSQL against one instance on
PostgreSQL and one on SQLite, all on 127.0.0.1.

Usage: python3 Benchmarks/Scripts/cluster.py [--skip-build] [--quick] [--out FILE] [--baseline OLD_CONCLAVE]

Starts a private PostgreSQL (Debian's, initdb into a temporary directory, Unix socket only,
durable settings: fsync and synchronous_commit on), then for each layout fresh `conclave serve`
processes with `--unlimited`, and runs the load generator (`ConclaveLoad`):
- fan-out 1 -> 100, publisher on the first instance, subscribers spread round-robin over 1, 2 or
  3 instances (and over the other two only: every delivery crosses the bus);
- publish-to-receive latency at 1,000 msgs/s into 100, subscribers on another instance;
- persisted posts/s (one publisher, window 64).
CPU seconds of every Conclave instance and of PostgreSQL (all its processes) are read from /proc
around each fan-out run, to show where the time goes.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import suite  # noqa: E402
from suite import ROOT, BENCH, Server, load, log  # noqa: E402

suite.use_build("release")
CONCLAVE, LOAD = suite.CONCLAVE, suite.LOAD

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


class Postgres:
    """A private PostgreSQL server for the run."""

    def __init__(self, work):
        versions = sorted((int(v) for v in os.listdir("/usr/lib/postgresql") if v.isdigit()), reverse=True)
        if not versions:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        binaries = f"/usr/lib/postgresql/{versions[0]}/bin"
        self.directory = os.path.join(work, "pg")
        self.sockets = os.path.join(self.directory, "sock")
        os.makedirs(self.sockets)
        as_user = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "postgres:postgres", self.directory], check=True)
        subprocess.run(as_user + [f"{binaries}/initdb", "-D", f"{self.directory}/data", "-U", "conclave", "--auth=trust",
                                  "-E", "UTF8", "--no-instructions"], check=True, stdout=subprocess.DEVNULL)
        self.port = 25432 + os.getpid() % 1000
        self.process = subprocess.Popen(
            as_user + [f"{binaries}/postgres", "-D", f"{self.directory}/data", "-k", self.sockets, "-p", str(self.port),
                       "-c", "listen_addresses=", "-c", "max_connections=300", "-c", "shared_buffers=256MB"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.psql = f"{binaries}/psql"
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.sql("SELECT 1", "postgres").returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("PostgreSQL did not start")

    def sql(self, statement, database):
        return subprocess.run([self.psql, "-X", "-q", "-h", self.sockets, "-p", str(self.port), "-U", "conclave", "-d", database,
                               "-c", statement], capture_output=True, text=True)

    def database(self, name):
        self.sql(f"DROP DATABASE IF EXISTS {name}", "postgres")
        self.sql(f"CREATE DATABASE {name}", "postgres")
        return f"postgres://conclave@localhost/{name}?host={self.sockets}&port={self.port}&sslmode=disable"

    def cpu(self):
        return cpu_seconds(self.process.pid) + sum(cpu_seconds(child) for child in children(self.process.pid))

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def instances(count, store=None, data_dir=None, binary=CONCLAVE):
    servers = []
    for index in range(count):
        arguments = [binary, "serve", "--unlimited", "--bind", "127.0.0.1:0"]
        arguments += ["--store", store] if store else ["--data-dir", f"{data_dir}-{index}"]
        servers.append(Server(arguments, r'"addr":"127\.0\.0\.1:(\d+)"', env={"CONCLAVE_LOG_FORMAT": "json"}))
    return servers


def measured(postgres, servers, *arguments, timeout=900):
    """Runs a load scenario and adds the CPU seconds each process spent during it."""
    before = [cpu_seconds(server.process.pid) for server in servers]
    pg_before = postgres.cpu() if postgres else 0.0
    result = load(*arguments, timeout=timeout)
    result["instance_cpu_s"] = [round(cpu_seconds(server.process.pid) - start, 2) for server, start in zip(servers, before)]
    if postgres:
        result["postgres_cpu_s"] = round(postgres.cpu() - pg_before, 2)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--out", default=os.path.join(BENCH, "results", "cluster.json"))
    parser.add_argument("--baseline", help="another `conclave` binary (an earlier commit's release build): its single-instance "
                                           "SQLite fan-out and latency are measured in the same run, interleaved with this one's")
    options = parser.parse_args()
    if not options.skip_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "conclave"], cwd=ROOT, check=True)
        subprocess.run(["swift", "build", "-c", "release", "--product", "ConclaveLoad"], cwd=ROOT, check=True)
    messages = 400 if options.quick else 4000
    seconds = 3 if options.quick else 10
    posts = 5000 if options.quick else 20000
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "scenarios": {}}
    scenarios = results["scenarios"]
    work = tempfile.mkdtemp(prefix="conclave-cluster-bench-")
    os.chmod(work, 0o755)  # PostgreSQL runs as its own account and must reach its directory
    postgres = Postgres(work)
    try:
        def run(name, count, store, body, binary=CONCLAVE):
            servers = instances(count, store=store, data_dir=os.path.join(work, name), binary=binary)
            try:
                scenarios[name] = body(servers)
                log(f"{name}: {scenarios[name]}")
            finally:
                for server in servers:
                    server.stop()

        fan = ["fanout", "--target", "conclave", "--subscribers", 100, "--messages", messages]
        lat = ["latency", "--subscribers", 100, "--rate", 1000, "--duration", seconds]
        if options.baseline:
            # The single-instance path before and after, alternated, so drift hits both alike.
            for round in (1, 2):
                run(f"baseline_fanout_sqlite_1_r{round}", 1, None, lambda s: measured(None, s, *fan, "--url", s[0].url),
                    binary=options.baseline)
                run(f"fanout_sqlite_1_r{round}", 1, None, lambda s: measured(None, s, *fan, "--url", s[0].url))
                run(f"baseline_latency_sqlite_1_r{round}", 1, None, lambda s: measured(None, s, *lat, "--url", s[0].url),
                    binary=options.baseline)
                run(f"latency_sqlite_1_r{round}", 1, None, lambda s: measured(None, s, *lat, "--url", s[0].url))
        run("fanout_sqlite_1", 1, None, lambda s: measured(None, s, *fan, "--url", s[0].url))
        for count in (1, 2, 3):
            run(f"fanout_pg_{count}", count, postgres.database(f"fan{count}"),
                lambda s: measured(postgres, s, *fan, "--url", s[0].url, "--subscriber-urls", ",".join(x.url for x in s)))
        run("fanout_pg_3_remote_only", 3, postgres.database("fanremote"),
            lambda s: measured(postgres, s, *fan, "--url", s[0].url, "--subscriber-urls", ",".join(x.url for x in s[1:])))

        run("latency_sqlite_1", 1, None, lambda s: measured(None, s, *lat, "--url", s[0].url))
        run("latency_pg_1", 1, postgres.database("lat1"), lambda s: measured(postgres, s, *lat, "--url", s[0].url))
        run("latency_pg_cross", 2, postgres.database("latcross"),
            lambda s: measured(postgres, s, *lat, "--url", s[0].url, "--subscriber-urls", s[1].url))

        hist = ["history", "--posts", posts, "--reads", 0]
        run("history_sqlite_1", 1, None, lambda s: measured(None, s, *hist, "--url", s[0].url))
        run("history_pg_1", 1, postgres.database("hist"), lambda s: measured(postgres, s, *hist, "--url", s[0].url))
    finally:
        postgres.stop()
        shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.dirname(options.out), exist_ok=True)
    with open(options.out, "w") as handle:
        json.dump(results, handle, indent=2)
    print(json.dumps(results, indent=2))
    failed = [name for name, result in scenarios.items() if "error" in result or result.get("lost", 0)]
    if failed:
        log(f"failed or lossy: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
