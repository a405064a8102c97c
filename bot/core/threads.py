"""Running the synchronous database layer from async code (Sanic routes, rasa_sdk actions)
without blocking the event loop."""
from __future__ import annotations

import asyncio
from functools import partial
from typing import Any, Callable


async def in_thread(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, partial(function, *args, **kwargs))
