"""Reference point: a faust-streaming agent decoding the same payments, `stream.take(2000, within=1)`.

Runs in a subprocess (faust's worker owns its event loop):
`python -m bench.ingest_faust BOOTSTRAP TOPIC EXPECTED APP_ID RESULT_FILE` writes one JSON object and exits.
"""
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

TAKE, WITHIN = 2000, 1.0


async def faust_agent(env, topic: str, expected: int, timeout: float = 300) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        result_file = Path(folder) / "faust.json"
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.ingest_faust", env.bootstrap, topic, str(expected), env.name("faust"),
            str(result_file), stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        try:
            _, err = await asyncio.wait_for(process.communicate(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            return {"error": f"no result within {timeout}s"}
        if not result_file.exists():
            return {"error": f"exit {process.returncode}: {err.decode()[-500:]}"}
        return json.loads(result_file.read_text()) | {"take": TAKE, "within_seconds": WITHIN}


def _worker(bootstrap: str, topic_name: str, expected: int, app_id: str, result_file: str) -> None:
    import faust

    app = faust.App(app_id, broker=f"kafka://{bootstrap}", store="memory://", web_enabled=False,
                    consumer_auto_offset_reset="earliest", stream_buffer_maxsize=16384,
                    broker_max_poll_records=5000, topic_replication_factor=1)
    topic = app.topic(topic_name, value_type=bytes, value_serializer="raw")
    seen = {"events": 0, "first": None, "first_batch": 0}

    @app.agent(topic)
    async def decode(stream):
        async for values in stream.take(TAKE, within=WITHIN):
            for value in values:
                json.loads(value)
            now = time.perf_counter()
            if seen["first"] is None:
                seen["first"], seen["first_batch"] = now, len(values)
            seen["events"] += len(values)
            if seen["events"] >= expected:
                timed = seen["events"] - seen["first_batch"]  # counted from the end of the first batch
                seconds = now - seen["first"]
                result = {"events": seen["events"], "seconds": round(seconds, 3),
                          "events_per_second": round(timed / seconds)}
                Path(result_file).write_text(json.dumps(result))
                os._exit(0)  # a throw-away process: no need for faust's slow graceful shutdown

    faust.Worker(app, loglevel="WARNING", quiet=True).execute_from_commandline()


if __name__ == "__main__":
    _worker(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
