"""Every HTTP request gets an id, echoed in `X-Request-ID` and on each log line it causes."""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resolutionflow import logs

REQUEST_ID_HEADER = "x-request-id"
# A caller's own id is kept when it is a plain token (a proxy's or a load balancer's); any
# other value is replaced, so a header cannot forge log content.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = ""
        for name, value in scope.get("headers") or []:
            if name == REQUEST_ID_HEADER.encode():
                given = value.decode("latin-1")
                break
        request_id = given if _ACCEPTABLE.match(given) else uuid.uuid4().hex

        async def with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with logs.bound(request_id=request_id, account=None):
            await self.app(scope, receive, with_id)
