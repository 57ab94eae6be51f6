"""Drives `conclave bridge` with the official MCP Python SDK (PyPI `mcp`), a client nobody here wrote.

Usage: mcp_client_check.py CONCLAVE_BINARY CONFIG_DIR CHANNEL
Prints one JSON object describing what the SDK saw; exits non-zero on any failure.
"""

import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def text_of(result):
    return "".join(getattr(block, "text", "") for block in result.content)


async def main(binary: str, config_dir: str, channel: str) -> dict:
    params = StdioServerParameters(command=binary, args=["--config-dir", config_dir, "bridge", "--as", "py-sdk"])
    report: dict = {}
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            report["protocol_version"] = str(init.protocol_version)
            report["server_name"] = init.server_info.name
            experimental = init.capabilities.experimental or {}
            report["channel_capability"] = "claude/channel" in experimental and "claude/channel/permission" in experimental
            report["list_changed"] = bool(init.capabilities.tools and init.capabilities.tools.list_changed)
            tools = await session.list_tools()
            report["tools"] = sorted(tool.name for tool in tools.tools)
            joined = await session.call_tool("join_channel", {"channel": channel})
            report["join"] = {"text": text_of(joined), "is_error": bool(joined.is_error)}
            who = await session.call_tool("who", {"channel": channel})
            report["who"] = {"text": text_of(who), "is_error": bool(who.is_error)}
            bad = await session.call_tool("join_channel", {})
            report["missing_argument"] = {"text": text_of(bad), "is_error": bool(bad.is_error)}
            await session.send_ping()
            report["ping"] = True
    return report


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(*sys.argv[1:4]))))
