"""Load test of `POST /v1/chat` with the extractive generator.

Starts `shopgraph serve` on an ingested data dir (or targets --url), drives it for --duration
seconds with --connections concurrent clients (wrk when installed, else an async httpx client),
and prints throughput, p50/p90/p99 latency and errors. As a baseline measured in the same run it
first drives `GET /healthz` (the HTTP stack alone) and prints the ratio.

    .venv/bin/python benchmarks/load_chat.py --data-dir var --workers 2          # server started here
    .venv/bin/python benchmarks/load_chat.py --data-dir var --workers 2 --connections 2,4,8,16
    .venv/bin/python benchmarks/load_chat.py --url http://127.0.0.1:8080 --key KEY

--connections takes a list: one chat run per count, so the throughput/latency curve shows where
latency stops being service time and becomes queueing (a closed loop of N connections holds N
requests in the server; beyond the point where the cores are busy, each extra connection adds
one service time to every request's latency and nothing to throughput).
--products N mixes in questions about random products p000000..p{N-1} (with product_id), so
caches that favour the fixed store-wide questions are not all the benchmark sees.

With a server started here it also prints the CPU time the server spent per request (worker
processes and the embedded FalkorDB, from /proc): on a machine shared with other jobs that
number holds steady while req/s falls with the CPU share the server gets.

Targets on the 2-core dev machine: >= 150 requests/s, p99 <= 150 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
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


PRODUCT_QUESTIONS = [
    "How much does it cost?",
    "Is it in stock?",
    "How long does the battery last?",
    "What is the warranty on this?",
    "Can I return it if I don't like it?",
    "How much does it weigh?",
]


def chat_body(i: int, products: int, rng: random.Random) -> dict:
    """The i-th request body: every other one a product question when `products` > 0."""
    if products and i % 2:
        return {"message": PRODUCT_QUESTIONS[(i // 2) % len(PRODUCT_QUESTIONS)],
                "product_id": f"p{rng.randrange(products):06d}"}
    return {"message": QUESTIONS[i % len(QUESTIONS)]}


# ------------------------------------------------------------------------------------- wrk
_LUA = """
local questions = %s
local product_questions = %s
local products = %d
local i = 0
math.randomseed(%d)
request = function()
  i = i + 1
  local body
  if products > 0 and i %% 2 == 1 then
    local q = product_questions[(math.floor(i / 2) %% #product_questions) + 1]
    body = '{"message": "' .. q .. '", "product_id": "' .. string.format("p%%06d", math.random(0, products - 1)) .. '"}'
  else
    body = '{"message": "' .. questions[(i %% #questions) + 1] .. '"}'
  end
  return wrk.format("POST", "/v1/chat", {["Content-Type"] = "application/json",
                    ["Authorization"] = "Bearer %s"}, body)
end
"""


def _lua_list(items: list[str]) -> str:
    return "{" + ", ".join(json.dumps(q) for q in items) + "}"


def _ms(value: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", value)
    if not m:
        return float("nan")
    n, unit = float(m.group(1)), m.group(2)
    return n / 1000 if unit == "us" else n * 1000 if unit == "s" else n


def run_wrk(url: str, path: str, key: str, duration: int, connections: int, threads: int, products: int = 0) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    script = None
    if path == "/v1/chat":
        script = Path(tempfile.mkdtemp()) / "chat.lua"
        script.write_text(_LUA % (_lua_list(QUESTIONS), _lua_list(PRODUCT_QUESTIONS), products, 7, key))
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
async def _drive(url: str, path: str, key: str, duration: int, connections: int, products: int = 0) -> dict:
    import httpx

    rng = random.Random(7)

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
                        r = await client.post(path, json=chat_body(i, products, rng))
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


def drive(url: str, path: str, key: str, duration: int, connections: int, tool: str, products: int = 0) -> dict:
    if tool == "wrk":
        return run_wrk(url, path, key, duration, connections, threads=1, products=products)
    return asyncio.run(_drive(url, path, key, duration, connections, products))


# ------------------------------------------------------------------------ server CPU per request
def _cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_pids(root_pid: int, data_dir: Path) -> list[int]:
    """The server process, its workers, and the embedded FalkorDB serving `data_dir` (Linux)."""
    if not Path("/proc").is_dir():
        return []
    children: dict[int, list[int]] = {}
    falkordb = []
    where = str(data_dir.resolve())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if "redis-server" in cmd and (where in cmd or where in os.readlink(entry / "cwd")):
                falkordb.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    tree, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree + falkordb


def cpu_snapshot(pids: list[int]) -> tuple[float, float]:
    return sum(_cpu_s(p) for p in pids), time.monotonic()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="an already running server (default: start one on --data-dir)")
    ap.add_argument("--key", default=BENCH_KEY, help="chat API key (with --url)")
    ap.add_argument("--data-dir", default="var", help="ingested data dir for the server started here")
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--baseline-duration", type=int, default=10)
    ap.add_argument("--connections", default="8", help="concurrent connections; a comma list runs one chat test each")
    ap.add_argument("--workers", type=int, default=1, help="server worker processes (server started here)")
    ap.add_argument("--products", type=int, default=0,
                    help="mix in questions about random products p000000..p{N-1} (half the requests)")
    ap.add_argument("--tool", choices=["auto", "wrk", "httpx"], default="auto")
    ap.add_argument("--json", action="store_true", help="print one JSON object at the end")
    args = ap.parse_args()
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "httpx")
    counts = [int(c) for c in str(args.connections).split(",") if c.strip()]

    proc = None
    url = args.url
    pids: list[int] = []
    if not url:
        data_dir = Path(args.data_dir)
        if not (data_dir / "current.json").exists():
            raise SystemExit(f"{data_dir} holds no ingested store: run `shopgraph demo` first (or pass --url)")
        port = _free_port()
        log_path = Path(tempfile.mkdtemp()) / "server.log"
        print(f"starting shopgraph serve on port {port} (log: {log_path})", file=sys.stderr)
        proc = start_server(data_dir, port, log_path, args.workers)
        url = f"http://127.0.0.1:{port}"
        pids = server_pids(proc.pid, data_dir)
    runs = []
    try:
        # Warm up (model, caches, connection pools) before measuring.
        drive(url, "/v1/chat", args.key, 3, max(counts), tool, args.products)
        base = drive(url, "/healthz", args.key, args.baseline_duration, counts[0], tool)
        for n in counts:
            cpu0, t0 = cpu_snapshot(pids)
            chat = drive(url, "/v1/chat", args.key, args.duration, n, tool, args.products)
            cpu1, t1 = cpu_snapshot(pids)
            if pids and chat["requests"]:
                chat["server_cpu_ms_per_request"] = round((cpu1 - cpu0) / chat["requests"] * 1e3, 2)
                chat["server_cpu_cores_used"] = round((cpu1 - cpu0) / (t1 - t0), 2)
            chat["connections"] = n
            runs.append(chat)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    chat = runs[-1] if len(runs) == 1 else max(runs, key=lambda r: r["rps"])
    result = {"tool": tool, "connections": counts, "workers": args.workers, "duration_s": args.duration,
              "products": args.products, "load_average_1m": os.getloadavg()[0], "cpus": os.cpu_count(),
              "chat": chat, "runs": runs, "baseline_healthz": base,
              "chat_vs_healthz_rps_ratio": round(chat["rps"] / base["rps"], 4) if base["rps"] else None,
              "targets": {"rps>=150": chat["rps"] >= 150, "p99<=150ms": chat["p99_ms"] <= 150}}
    print(f"tool={tool} workers={args.workers} products={args.products} "
          f"load average {result['load_average_1m']:.1f} on {result['cpus']} CPUs")
    print(f"GET /healthz (baseline, {counts[0]} conn): {base['rps']:.1f} req/s  p50 {base['p50_ms']:.1f} ms  "
          f"p99 {base['p99_ms']:.1f} ms")
    for r in runs:
        cpu = (f"  server CPU {r['server_cpu_ms_per_request']:.1f} ms/req on {r['server_cpu_cores_used']:.2f} cores"
               if "server_cpu_ms_per_request" in r else "")
        print(f"POST /v1/chat {r['connections']:3d} conn: {r['rps']:6.1f} req/s  p50 {r['p50_ms']:.1f} ms  "
              f"p90 {r['p90_ms']:.1f} ms  p99 {r['p99_ms']:.1f} ms  errors {r['errors']} of {r['requests']}{cpu}")
    print(f"chat/healthz throughput ratio: {result['chat_vs_healthz_rps_ratio']}")
    print(f"targets ({chat['connections']} conn): >=150 req/s {'met' if result['targets']['rps>=150'] else 'MISSED'}; "
          f"p99<=150 ms {'met' if result['targets']['p99<=150ms'] else 'MISSED'}")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
