"""How the tests and benchmarks start the real Claude Code CLI offline: the environment that
points it at the scripted Messages API on loopback and turns off its other traffic, and the
command line of a stream-json session that may use the conclave MCP server's tools."""
import os
import subprocess


def offline_env(home, api_port, proxy=None):
    """This process's environment without Conclave, Anthropic or Claude settings, plus the
    offline ones; with `proxy`, every proxy variable points at it (loopback stays direct)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CONCLAVE_", "ANTHROPIC_", "CLAUDE"))}
    env.update(
        HOME=home, ANTHROPIC_API_KEY="sk-ant-dummy-offline", ANTHROPIC_BASE_URL="http://127.0.0.1:%s" % api_port,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL="1",
        DISABLE_AUTOUPDATER="1")
    if proxy:
        env.update(HTTP_PROXY=proxy, HTTPS_PROXY=proxy, http_proxy=proxy, https_proxy=proxy, ALL_PROXY=proxy,
                   NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    return env


def start_session(claude, project, env):
    """A `claude -p` session reading user turns as stream-json on stdin."""
    debug = ["--debug"] if os.environ.get("CONCLAVE_CLAUDE_DEBUG") else []
    return subprocess.Popen(
        [claude, "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
         "--allowedTools", "mcp__conclave", "--model", "claude-sonnet-4-5"] + debug,
        cwd=project, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
