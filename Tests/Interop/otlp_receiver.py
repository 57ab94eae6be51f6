#!/usr/bin/env python3
"""A local OTLP/HTTP receiver for tests: accepts protobuf exports on 127.0.0.1 (a free port,
printed first as {"port": N}), decodes them with the OpenTelemetry project's own protobuf
definitions (PyPI's opentelemetry-proto), and prints one JSON line per export:

  {"path": "/v1/traces", "service": "...", "spans": [{"name": ..., "attributes": {...}}, ...]}
  {"path": "/v1/logs", "service": "...", "logs": [{"body": ..., "severity": ..., "attributes": {...}}, ...]}

Anything else is answered 404. Nothing leaves loopback.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2


def value(any_value):
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


def attributes(pairs):
    return {pair.key: value(pair.value) for pair in pairs}


def service_of(resource):
    return attributes(resource.attributes).get("service.name")


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/v1/traces":
            request = trace_service_pb2.ExportTraceServiceRequest()
            request.ParseFromString(body)
            for resource_spans in request.resource_spans:
                spans = [{"name": span.name, "attributes": attributes(span.attributes)}
                         for scope in resource_spans.scope_spans for span in scope.spans]
                emit({"path": self.path, "service": service_of(resource_spans.resource), "spans": spans})
            reply = trace_service_pb2.ExportTraceServiceResponse()
        elif self.path == "/v1/logs":
            request = logs_service_pb2.ExportLogsServiceRequest()
            request.ParseFromString(body)
            for resource_logs in request.resource_logs:
                logs = [{"body": value(record.body), "severity": record.severity_text,
                         "attributes": attributes(record.attributes)}
                        for scope in resource_logs.scope_logs for record in scope.log_records]
                emit({"path": self.path, "service": service_of(resource_logs.resource), "logs": logs})
            reply = logs_service_pb2.ExportLogsServiceResponse()
        else:
            self.send_response(404)
            self.end_headers()
            return
        payload = reply.SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *arguments):
        pass


def emit(record):
    print(json.dumps(record, default=str), flush=True)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    emit({"port": server.server_address[1]})
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
