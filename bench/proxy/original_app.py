"""The original design of this project, as described: a FastAPI app in front of
the LLM API that forwards each call with a new httpx client per request and
exposes /metrics (prometheus_client) and /health. Kept as the benchmark's
baseline; written from the description, with its defects on purpose:

- a new httpx.AsyncClient (and TLS context) per request;
- the body is parsed and re-serialised (httpx json=: non-ASCII becomes \\uXXXX);
- the answer is read whole and re-serialised as JSON: a stream fails with 500
  after it has fully arrived; upstream headers are dropped;
- malformed JSON and a dead upstream surface as 500; a client that goes away
  does not cancel the upstream call.

Run: UPSTREAM=http://127.0.0.1:PORT/v1 /usr/bin/python3 -m uvicorn original_app:app --port N
(Debian 12: python3-fastapi, python3-uvicorn, python3-httpx, python3-prometheus-client).
"""
import os
import time

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

UPSTREAM = os.environ.get("UPSTREAM", "https://api.holysheep.ai/v1")

app = FastAPI()

REQUESTS = Counter("llm_requests_total", "LLM requests", ["model", "status"])
LATENCY = Histogram("llm_request_latency_seconds", "LLM request latency", ["model"])
TOKENS = Counter("llm_tokens_total", "LLM tokens", ["model", "type"])


@app.post("/v1/{path:path}")
async def proxy(path: str, request: Request):
    body = await request.json()
    model = body.get("model", "unknown")
    start = time.time()
    async with httpx.AsyncClient(timeout=120) as client:
        r = await client.post(
            f"{UPSTREAM}/{path}",
            json=body,
            headers={"Authorization": request.headers.get("authorization", "")},
        )
    data = r.json()
    LATENCY.labels(model).observe(time.time() - start)
    REQUESTS.labels(model, str(r.status_code)).inc()
    usage = data.get("usage") or {}
    TOKENS.labels(model, "input").inc(usage.get("prompt_tokens", 0))
    TOKENS.labels(model, "output").inc(usage.get("completion_tokens", 0))
    return JSONResponse(data, status_code=r.status_code)


@app.get("/metrics")
def metrics():
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@app.get("/health")
def health():
    return {"status": "ok"}
