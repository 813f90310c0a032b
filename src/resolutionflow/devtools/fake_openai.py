"""An OpenAI-compatible chat-completions server backed by the offline provider.

It speaks the real wire protocol over real HTTP, answers after a configurable delay, and
builds its answers with the offline flow builder, so the `openai` provider, the worker's
concurrency and its failure handling can be exercised without a model or a network:

    python -m resolutionflow.devtools.fake_openai --port 8765 --delay 0.5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn

from resolutionflow.ai.providers.offline import OfflineProvider, estimate_tokens

Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


class FakeOpenAI:
    """The ASGI app. `delay` seconds pass before each answer; requests are counted."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.requests = 0
        self.builder = OfflineProvider()

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if scope["method"] != "POST" or not scope["path"].endswith("/chat/completions"):
            await self._reply(send, 404, {"error": {"message": "not found"}})
            return
        self.requests += 1
        try:
            request = json.loads(body)
            messages = request["messages"]
            system = "\n".join(m["content"] for m in messages if m.get("role") == "system")
            rest = [m for m in messages if m.get("role") != "system"]
        except (ValueError, KeyError, TypeError) as exc:
            await self._reply(send, 400, {"error": {"message": f"bad request: {exc}"}})
            return
        if self.delay:
            await asyncio.sleep(self.delay)
        text = self.builder.answer(system, rest)
        prompt_text = system + "".join(str(m.get("content")) for m in rest)
        await self._reply(
            send,
            200,
            {
                "id": f"chatcmpl-{self.requests}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": request.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": text},
                    }
                ],
                "usage": {
                    "prompt_tokens": estimate_tokens(prompt_text),
                    "completion_tokens": estimate_tokens(text),
                    "total_tokens": estimate_tokens(prompt_text) + estimate_tokens(text),
                },
            },
        )

    @staticmethod
    async def _reply(send: Send, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(data)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThreadedServer:
    """Serve a FakeOpenAI app from a background thread (for tests)."""

    def __init__(self, app: FakeOpenAI, port: int | None = None) -> None:
        self.app = app
        self.port = port or free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="error",
            lifespan="on",
            access_log=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args()
    uvicorn.run(FakeOpenAI(args.delay), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
