"""A real HTTP server on 127.0.0.1 that speaks OpenAI's /v1/chat/completions from a script.

    with FakeOpenAIServer() as server:
        server.script(Reply(content="答案[1]\n---\n[1] \"原文\""))
        ... point the client at server.base_url ...
        server.requests[0]["json"]["messages"]

A request with "stream": true gets `text/event-stream` chunks ending with `data: [DONE]`.
Faults: `Reply(trickle_s=10)` sends the reply one byte every 10 s (each read succeeds, the answer
never ends in time); `Reply(hang=True)` sends nothing until the server stops.
Replies are used in order (a Reply, or a function of the request JSON returning one); with none left the server answers HTTP 500 and says so.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Union


@dataclass
class Reply:
    content: str = ""
    status: int = 200                      # anything but 200 sends an OpenAI-style error body
    delay_s: float = 0.0                   # sleep before answering (for timeouts)
    chunks: list[str] | None = None        # the streamed deltas; default: content in 3-char pieces
    model: str = "fake-model"
    trickle_s: float = 0.0                 # > 0: send the body one byte at a time, this far apart
    hang: bool = False                     # accept the request, then never answer

    def deltas(self) -> list[str]:
        if self.chunks is not None:
            return list(self.chunks)
        return [self.content[i: i + 3] for i in range(0, len(self.content), 3)]


def completion_body(reply: Reply) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": reply.model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def chunk_body(reply: Reply, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": reply.model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


Responder = Callable[[dict[str, Any]], Reply]   # request JSON -> reply, for replies that depend on the prompt
Scripted = Union[Reply, Responder]


@dataclass
class _State:
    replies: list[Scripted] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def next_reply(self, body: dict[str, Any]) -> Reply:
        with self.lock:
            if not self.replies:
                return Reply(status=500, content="the test scripted no reply for this request")
            scripted = self.replies.pop(0)
        return scripted if isinstance(scripted, Reply) else scripted(body)


class _Handler(BaseHTTPRequestHandler):
    state: _State  # set on the subclass made per server

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with self.state.lock:
            self.state.requests.append({"path": self.path, "json": body, "headers": {k.lower(): v for k, v in self.headers.items()}})
        if not self.path.rstrip("/").endswith("/chat/completions"):
            return self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
        reply = self.state.next_reply(body)
        time.sleep(reply.delay_s)
        try:
            if reply.hang:
                self.state.stopping.wait(120)
            elif reply.trickle_s > 0:
                self._send_trickle(reply, bool(body.get("stream")))
            elif reply.status != 200:
                self._send_json(reply.status, {"error": {"message": reply.content or "scripted error", "type": "server_error"}})
            elif body.get("stream"):
                self._send_stream(reply)
            else:
                self._send_json(200, completion_body(reply))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to do

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_trickle(self, reply: Reply, stream: bool) -> None:
        """Headers at once, then the body byte by byte, `trickle_s` apart, until done or stopped."""
        if stream:
            data = "".join(f"data: {json.dumps(chunk_body(reply, {'content': d}), ensure_ascii=False)}\n\n"
                           for d in reply.deltas()).encode("utf-8") + b"data: [DONE]\n\n"
        else:
            data = json.dumps(completion_body(reply), ensure_ascii=False).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream" if stream else "application/json")
        if not stream:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.flush()
        for i in range(len(data)):
            if self.state.stopping.wait(reply.trickle_s):
                return
            self.wfile.write(data[i:i + 1])
            self.wfile.flush()

    def _send_stream(self, reply: Reply) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        events = [chunk_body(reply, {"role": "assistant", "content": ""})]
        events += [chunk_body(reply, {"content": d}) for d in reply.deltas()]
        events.append(chunk_body(reply, {}, finish="stop"))
        for event in events:
            self.wfile.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True


class FakeOpenAIServer:
    """Start with `with FakeOpenAIServer() as s:` or start()/stop(); port is picked by the OS."""

    def __init__(self) -> None:
        self._state = _State()
        handler = type("Handler", (_Handler,), {"state": self._state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._stopped = False
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-openai", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self._state.requests

    def script(self, *replies: Scripted) -> None:
        with self._state.lock:
            self._state.replies.extend(replies)

    def start(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._state.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def first_clause_quote(body: dict[str, Any], chars: int = 12) -> str:
    """A verbatim piece of clause [1] of the answer prompt (its longest text line)."""
    prompt = body["messages"][-1]["content"]
    block = prompt.split("[1] 《", 1)[1].split("\n\n[2] 《", 1)[0].split("</clauses>", 1)[0]
    lines = [line for line in block.split("\n")[1:] if not line.startswith("DAMAGED:")]
    return max(lines, key=len)[:chars]


def citing_responder(body: dict[str, Any]) -> Reply:
    """Like a well-behaved model: one sentence citing clause [1] with a verbatim quote."""
    quote = first_clause_quote(body)
    return Reply(content=f"根据条款，{quote}[1]。\n---\n[1] \"{quote}\"")
