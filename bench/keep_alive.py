"""What a kept-alive connection to the action server saves per action call (issue 17).

    .venv/bin/python bench/keep_alive.py [--calls 500]

A loopback Sanic server stands in for the action server's webhook (an empty answer, so only the
HTTP cost is measured). The same 2 kB request is sent --calls times through Rasa's
``EndpointConfig.request`` as Rasa 3.6 ships it (a new aiohttp session and TCP connection per call)
and then after ``bot.serving.rasa_launch.keep_alive_endpoints()``; prints the client process's CPU
and the wall time per call. Result: docs/benchmarks.md, "Profile of a turn".
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PORT = 5999
PAYLOAD = {"tracker": "y" * 2000}


def serve() -> None:
    from sanic import Sanic, response

    app = Sanic("keep_alive_bench")

    @app.post("/webhook")
    async def webhook(_request):  # type: ignore[no-untyped-def]
        return response.json({"events": [], "responses": []})

    app.run(host="127.0.0.1", port=PORT, access_log=False)


async def per_call(calls: int) -> tuple[float, float]:
    from rasa.utils.endpoints import EndpointConfig

    endpoint = EndpointConfig(url=f"http://127.0.0.1:{PORT}/webhook")
    for _ in range(20):  # warm up
        await endpoint.request(json=PAYLOAD)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(calls):
        await endpoint.request(json=PAYLOAD)
    return ((time.process_time() - cpu) * 1000 / calls, (time.perf_counter() - wall) * 1000 / calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    calls = parser.parse_args().calls
    server = multiprocessing.Process(target=serve, daemon=True)
    server.start()
    time.sleep(5)
    try:
        before = asyncio.run(per_call(calls))
        from bot.serving.rasa_launch import keep_alive_endpoints

        keep_alive_endpoints()
        after = asyncio.run(per_call(calls))
    finally:
        server.terminate()
    print(f"new connection per call: CPU {before[0]:.2f} ms, wall {before[1]:.2f} ms")
    print(f"kept alive:              CPU {after[0]:.2f} ms, wall {after[1]:.2f} ms")


if __name__ == "__main__":
    main()
