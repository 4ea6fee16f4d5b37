"""Real local servers for delivery tests: a group-bot HTTP endpoint and an SMTP server.

Both listen on 127.0.0.1 on a free port, answer from a script of outcomes (e.g. fail once,
then succeed) and record what they received.
"""

import http.server
import json
import socketserver
import threading
from contextlib import contextmanager


class _BotHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the stdlib's method name
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        server = self.server
        status = server.script.pop(0) if server.script else 200
        server.received.append({"path": self.path, "status": status, "json": json.loads(body)})
        answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greeting, EHLO, MAIL, RCPT, DATA, QUIT."""

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 test ESMTP")
        while True:
            line = self.rfile.readline().decode("utf-8", "replace").strip()
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 test")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk)
                server = self.server
                code = server.script.pop(0) if server.script else 250
                if code == 250:
                    server.received.append(b"".join(data).decode("utf-8", "replace"))
                    self.reply("250 queued")
                else:
                    self.reply(f"{code} temporary failure")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class _ThreadingTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def _serve(server, script):
    server.script = list(script)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def bot_server(script=()):
    """A bot endpoint answering the HTTP statuses in `script`, then 200."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BotHandler)
    return _serve(server, script)


def smtp_server(script=()):
    """An SMTP server answering DATA with the codes in `script`, then 250."""
    return _serve(_ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler), script)
