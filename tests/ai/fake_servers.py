"""Real local HTTP servers that speak the OpenAI and Anthropic wire protocols, scripted per test.

Each server runs uvicorn in a thread on 127.0.0.1 with a free port, once per test session.
A test queues the replies it wants (`server.script(...)`); when the queue is empty the
server answers through `server.respond` (a function of the request body, when a test sets
one, to play a model that behaves some way on every request) or with a normal success.
Every request is recorded with its headers, JSON body and the server-side time it arrived.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # a dict/list is sent as JSON, bytes/str as they are, None = default success
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds the server waits before answering


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: Any
    at: float  # time.monotonic() when the request arrived


def openai_success(body: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": body.get("model", "unknown") if isinstance(body, dict) else "unknown",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": '{"title": "Printer offline"}'},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 120, "completion_tokens": 45, "total_tokens": 165},
    }


def anthropic_success(body: Any) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "unknown") if isinstance(body, dict) else "unknown",
        "content": [
            {"type": "text", "text": '{"title": '},
            {"type": "text", "text": '"Printer offline"}'},
        ],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 200, "output_tokens": 30},
    }


class FakeModelServer:
    """An ASGI app plus the uvicorn thread serving it."""

    def __init__(self, success: Callable[[Any], dict[str, Any]]) -> None:
        self._success = success
        self._lock = threading.Lock()
        self._script: list[Reply] = []
        self.default: Reply = Reply()
        self.respond: Callable[[Any], Reply] | None = None
        self.requests: list[Seen] = []
        self.url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- used by tests -------------------------------------------------------------------

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.requests.clear()
            self.default = Reply()
            self.respond = None

    # -- the ASGI app --------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        arrived = time.monotonic()
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        with self._lock:
            self.requests.append(Seen(scope["path"], headers, body, arrived))
            respond = self.respond
            reply = self._script.pop(0) if self._script else None
        if reply is None:
            reply = respond(body) if respond is not None else self.default
        if reply.delay:
            await asyncio.sleep(reply.delay)
        content = reply.body if reply.body is not None else self._success(body)
        if isinstance(content, dict | list):
            data = json.dumps(content).encode()
            content_type = "application/json"
        else:
            data = content.encode() if isinstance(content, str) else content
            content_type = "text/plain"
        out_headers = [(b"content-type", content_type.encode())]
        out_headers += [(k.encode(), v.encode()) for k, v in reply.headers.items()]
        await send({"type": "http.response.start", "status": reply.status, "headers": out_headers})
        await send({"type": "http.response.body", "body": data})

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        config = uvicorn.Config(
            self, host="127.0.0.1", port=0, log_level="warning", lifespan="off", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake model server did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)


# -- models that behave some way on every request (set as `server.respond`) ---------------


def _chat_reply(content: str, model: str = "tiny-local") -> Reply:
    body = {
        "id": "chatcmpl-m",
        "object": "chat.completion",
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 300, "completion_tokens": 200, "total_tokens": 500},
    }
    return Reply(body=body)


def offline_answer(body: dict[str, Any]) -> str:
    """A valid answer to the request, as a good model would give: the offline provider's."""
    from resolutionflow.ai.providers.offline import OfflineProvider

    messages = body.get("messages") or []
    system = next((m["content"] for m in messages if m.get("role") == "system"), "")
    rest = [m for m in messages if m.get("role") != "system"]
    return OfflineProvider().answer(system, rest)


def _format_of(body: Any) -> str:
    if not isinstance(body, dict):
        return "none"
    response_format = body.get("response_format")
    if not isinstance(response_format, dict):
        return "text"
    return str(response_format.get("type"))


def _rejected(what: str) -> Reply:
    return Reply(
        status=400,
        body={"error": {"message": f"response_format type '{what}' is not supported"}},
    )


def honours_json_schema(body: Any) -> Reply:
    """A server that enforces the schema it is sent: its answer is always a valid flow."""
    return _chat_reply(offline_answer(body))


def rejects_json_schema(body: Any) -> Reply:
    """An older server: 400 on `json_schema`, fine with `json_object` (schema in the prompt)."""
    if _format_of(body) == "json_schema":
        return _rejected("json_schema")
    return _chat_reply(offline_answer(body))


def rejects_json_modes(body: Any) -> Reply:
    """A server that takes no response_format at all: only plain text requests succeed."""
    if _format_of(body) in ("json_schema", "json_object"):
        return _rejected(_format_of(body))
    return _chat_reply(offline_answer(body))


def answers_in_prose(body: Any) -> Reply:
    """A weak model: whatever it is asked, it chats."""
    return _chat_reply("Sure! The printer was offline, so turning it off and on again fixed it.")
