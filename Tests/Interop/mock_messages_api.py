#!/usr/bin/env python3
"""A scripted stand-in for the Anthropic Messages API, on 127.0.0.1 only.

It answers `POST /v1/messages` (streaming or not) and `POST /v1/messages/count_tokens`, and
records every request body, one JSON object per line, in the file given by --log. What the
"model" says is scripted by the conversation itself:

- a user turn whose text holds `@mock-tools <JSON list of [name, input]>` makes the model call
  those tools one after the other (one per response), then say "done";
- `@mock-ack` in an injected message (a hook's context, a woken session's notification) makes
  the model call `mcp__conclave__ack` with the message id it finds after `id="`;
- anything else gets a short text reply.

Usage: mock_messages_api.py --port-file PATH --log PATH
"""
import argparse
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
COUNTER = [0]


def texts(content):
    """Every text in a message's content (strings, text blocks, tool results)."""
    if isinstance(content, str):
        return [content]
    found = []
    for block in content or []:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text":
            found.append(block.get("text", ""))
        elif block.get("type") == "tool_result":
            found.extend(texts(block.get("content")))
    return found


def decide(body):
    """The blocks of the next assistant message."""
    messages = body.get("messages", [])
    # The newest user turn that carried a script, and how many tool results came after it.
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, list) and any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content):
            continue
        joined = "\n".join(texts(message.get("content")))
        match = re.search(r"@mock-tools (\[.*\])", joined)
        if match:
            try:
                script = json.loads(match.group(1))
            except ValueError:
                break
            done = sum(1 for later in messages[index + 1:] if later.get("role") == "assistant")
            if done < len(script):
                name, arguments = script[done]
                return [{"type": "tool_use", "id": "toolu_mock_%d_%d" % (index, done), "name": name, "input": arguments}], "tool_use"
            return [{"type": "text", "text": "done"}], "end_turn"
        break
    last = messages[-1] if messages else {}
    joined = "\n".join(texts(last.get("content"))) if last.get("role") == "user" else ""
    if "@mock-ack" in joined:
        ids = re.findall(r' id="(\d+)"', joined)
        if ids and not any(b.get("type") == "tool_result" for b in last.get("content", []) if isinstance(b, dict)):
            return [{"type": "tool_use", "id": "toolu_ack_%d" % len(messages), "name": "mcp__conclave__ack", "input": {"id": ids[-1]}}], "tool_use"
    return [{"type": "text", "text": "noted"}], "end_turn"


class Handler(BaseHTTPRequestHandler):
    log_path = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply_json(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.record({"path": self.path, "method": "GET"})
        self.reply_json(404, {"type": "error", "error": {"type": "not_found_error", "message": "mock"}})

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def record(self, entry):
        with LOCK, open(self.log_path, "a") as log:
            log.write(json.dumps(entry) + "\n")

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        path = self.path.split("?")[0]
        self.record({"path": path, "method": "POST", "body": body})
        if path.endswith("/count_tokens"):
            self.reply_json(200, {"input_tokens": 100})
            return
        if not path.endswith("/v1/messages"):
            self.reply_json(404, {"type": "error", "error": {"type": "not_found_error", "message": "mock"}})
            return
        blocks, stop = decide(body)
        model = body.get("model", "claude-mock")
        with LOCK:
            COUNTER[0] += 1
            number = COUNTER[0]
        # Distinct ids: Claude Code joins assistant messages that share one.
        message = {"id": "msg_mock_%d" % number, "type": "message", "role": "assistant", "model": model, "content": [],
                   "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 100, "output_tokens": 10}}
        if not body.get("stream"):
            message.update(content=blocks, stop_reason=stop)
            self.reply_json(200, message)
            return
        events = [("message_start", {"type": "message_start", "message": message})]
        for index, block in enumerate(blocks):
            if block["type"] == "text":
                events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}))
                events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": block["text"]}}))
            else:
                start = dict(block, input={})
                events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": start}))
                events.append(("content_block_delta", {"type": "content_block_delta", "index": index,
                                                       "delta": {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}}))
            events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
        events.append(("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None}, "usage": {"output_tokens": 10}}))
        events.append(("message_stop", {"type": "message_stop"}))
        payload = "".join("event: %s\ndata: %s\n\n" % (name, json.dumps(data)) for name, data in events).encode()
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    options = parser.parse_args()
    Handler.log_path = options.log
    open(options.log, "w").close()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(options.port_file + ".tmp", "w") as port_file:
        port_file.write(str(server.server_address[1]))
    import os
    os.replace(options.port_file + ".tmp", options.port_file)
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
