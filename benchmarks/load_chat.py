"""Load test of `POST /v1/chat` with the extractive generator.

Starts `shopgraph serve` on an ingested data dir (or targets --url), drives it for --duration
seconds with --connections concurrent clients (wrk when installed, else an async httpx client),
and prints throughput, p50/p90/p99 latency and errors. As a baseline measured in the same run it
first drives `GET /healthz` (the HTTP stack alone) and prints the ratio.

    .venv/bin/python benchmarks/load_chat.py --data-dir var            # server started here
    .venv/bin/python benchmarks/load_chat.py --url http://127.0.0.1:8080 --key KEY

Targets on the 2-core dev machine: >= 150 requests/s, p99 <= 150 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = [
    "What is your return policy?",
    "How long is the warranty?",
    "Do you ship internationally?",
    "Which payment methods do you accept?",
    "How much does shipping cost?",
    "Can I return an opened item?",
    "Is there a warranty on laptops?",
    "How long does delivery take?",
    "Do you accept PayPal?",
    "What does the warranty cover?",
    "Can I get a refund?",
    "How do I return headphones?",
]
BENCH_KEY = "bench-load-key-0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, log_path: Path, workers: int = 1) -> subprocess.Popen:
    keys = Path(tempfile.mkdtemp()) / "keys.yaml"
    keys.write_text(f"- key: {BENCH_KEY}\n  role: chat\n  name: bench\n  rate_limit_per_minute: 10000000\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "SHOPGRAPH_DATA_DIR": str(data_dir), "SHOPGRAPH_GENERATOR__KIND": "extractive",
           "SHOPGRAPH_SERVER__KEYS_FILE": str(keys), "SHOPGRAPH_LOG_LEVEL": "WARNING"}
    cmd = [sys.executable, "-c", "from serve.cli import app; app()", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT)
    import httpx

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited ({proc.returncode}); log:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("server not ready after 180 s")


# ------------------------------------------------------------------------------------- wrk
_LUA = """
local questions = %s
local i = 0
request = function()
  i = i + 1
  local q = questions[(i %% #questions) + 1]
  return wrk.format("POST", "/v1/chat", {["Content-Type"] = "application/json",
                    ["Authorization"] = "Bearer %s"}, '{"message": "' .. q .. '"}')
end
"""


def _ms(value: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", value)
    if not m:
        return float("nan")
    n, unit = float(m.group(1)), m.group(2)
    return n / 1000 if unit == "us" else n * 1000 if unit == "s" else n


def run_wrk(url: str, path: str, key: str, duration: int, connections: int, threads: int) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    script = None
    if path == "/v1/chat":
        script = Path(tempfile.mkdtemp()) / "chat.lua"
        script.write_text(_LUA % ("{" + ", ".join(json.dumps(q) for q in QUESTIONS) + "}", key))
        cmd += ["-s", str(script)]
    out = subprocess.run(cmd + [url + path], capture_output=True, text=True, check=True).stdout
    lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "tool": "wrk", "requests": total, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(lat.get("50", "")), "p90_ms": _ms(lat.get("90", "")), "p99_ms": _ms(lat.get("99", "")),
        "errors": (int(bad.group(1)) if bad else 0) + (sum(map(int, errs.groups())) if errs else 0),
    }


# ------------------------------------------------------------------------------ async client
async def _drive(url: str, path: str, key: str, duration: int, connections: int) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=10,
                                 headers={"Authorization": f"Bearer {key}"}) as client:
        async def worker(n: int) -> None:
            nonlocal errors
            i = n
            while time.perf_counter() < stop:
                i += 1
                t = time.perf_counter()
                try:
                    if path == "/v1/chat":
                        r = await client.post(path, json={"message": QUESTIONS[i % len(QUESTIONS)]})
                    else:
                        r = await client.get(path)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - t) * 1000)
                errors += not ok

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else float("nan")

    return {"tool": "httpx", "requests": len(latencies), "rps": len(latencies) / elapsed,
            "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99), "errors": errors}


def drive(url: str, path: str, key: str, duration: int, connections: int, tool: str) -> dict:
    if tool == "wrk":
        return run_wrk(url, path, key, duration, connections, threads=1)
    return asyncio.run(_drive(url, path, key, duration, connections))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="an already running server (default: start one on --data-dir)")
    ap.add_argument("--key", default=BENCH_KEY, help="chat API key (with --url)")
    ap.add_argument("--data-dir", default="var", help="ingested data dir for the server started here")
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--baseline-duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--workers", type=int, default=1, help="server worker processes (server started here)")
    ap.add_argument("--tool", choices=["auto", "wrk", "httpx"], default="auto")
    ap.add_argument("--json", action="store_true", help="print one JSON object at the end")
    args = ap.parse_args()
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "httpx")

    proc = None
    url = args.url
    if not url:
        data_dir = Path(args.data_dir)
        if not (data_dir / "current.json").exists():
            raise SystemExit(f"{data_dir} holds no ingested store: run `shopgraph demo` first (or pass --url)")
        port = _free_port()
        log_path = Path(tempfile.mkdtemp()) / "server.log"
        print(f"starting shopgraph serve on port {port} (log: {log_path})", file=sys.stderr)
        proc = start_server(data_dir, port, log_path, args.workers)
        url = f"http://127.0.0.1:{port}"
    try:
        # Warm up (model, caches, connection pools) before measuring.
        drive(url, "/v1/chat", args.key, 3, args.connections, tool)
        base = drive(url, "/healthz", args.key, args.baseline_duration, args.connections, tool)
        chat = drive(url, "/v1/chat", args.key, args.duration, args.connections, tool)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    result = {"tool": tool, "connections": args.connections, "workers": args.workers, "duration_s": args.duration,
              "chat": chat, "baseline_healthz": base,
              "chat_vs_healthz_rps_ratio": round(chat["rps"] / base["rps"], 4) if base["rps"] else None,
              "targets": {"rps>=150": chat["rps"] >= 150, "p99<=150ms": chat["p99_ms"] <= 150}}
    print(f"tool={tool} connections={args.connections} workers={args.workers}")
    print(f"GET /healthz (baseline): {base['rps']:.1f} req/s  p50 {base['p50_ms']:.1f} ms  p99 {base['p99_ms']:.1f} ms")
    print(f"POST /v1/chat          : {chat['rps']:.1f} req/s  p50 {chat['p50_ms']:.1f} ms  "
          f"p90 {chat['p90_ms']:.1f} ms  p99 {chat['p99_ms']:.1f} ms  errors {chat['errors']} of {chat['requests']}")
    print(f"chat/healthz throughput ratio: {result['chat_vs_healthz_rps_ratio']}")
    print(f"targets: >=150 req/s {'met' if result['targets']['rps>=150'] else 'MISSED'}; "
          f"p99<=150 ms {'met' if result['targets']['p99<=150ms'] else 'MISSED'}")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
