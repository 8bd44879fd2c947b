"""`python -m eval load --url http://127.0.0.1:PORT --clients 50 --questions 20`: a bounded load
test of a running server on loopback.

N client threads, each with its own HTTP connection, ask M questions one after another (the gold
set's questions in turn, each client starting at a different one), then stop. Prints requests,
errors (transport failures and non-200 answers, by status), latency p50 / p95 / max and the
throughput. Only loopback URLs are accepted: this is for measuring one machine, not for load on
anyone else's.
"""
from __future__ import annotations

import argparse
import ipaddress
import os
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from eval.metrics import percentile

FALLBACK_QUESTIONS = ["中山市推行首席质量官制度由哪些部门负责?", "东莞市工业产品质量监督抽查合格率的目标是多少?"]


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    wall_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, ms: float, error: str | None) -> None:
        with self.lock:
            self.latencies_ms.append(ms)
            if error:
                self.errors[error] += 1

    def summary(self) -> str:
        n, errs = len(self.latencies_ms), sum(self.errors.values())
        p50, p95 = percentile(self.latencies_ms, 50) or 0.0, percentile(self.latencies_ms, 95) or 0.0
        top = max(self.latencies_ms, default=0.0)
        rate = n / self.wall_s if self.wall_s else 0.0
        kinds = ", ".join(f"{k}: {v}" for k, v in self.errors.most_common()) or "none"
        return (f"requests {n}, errors {errs} ({kinds}), latency p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
                f"max {top:.0f} ms, {rate:.1f} req/s over {self.wall_s:.1f} s")


def require_loopback(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme not in ("http", "https") or not loopback:
        raise ValueError(f"--url must be a loopback http URL such as http://127.0.0.1:7860, got {url!r}")
    return url.rstrip("/")


def _client_loop(url: str, questions: Sequence[str], start: int, count: int, timeout_s: float,
                 headers: dict[str, str], result: LoadResult) -> None:
    with httpx.Client(base_url=url, timeout=timeout_s, trust_env=False, headers=headers) as client:
        for i in range(count):
            question = questions[(start + i) % len(questions)]
            began = time.perf_counter()
            error = None
            try:
                r = client.post("/api/ask", json={"question": question})
                if r.status_code != 200:
                    error = f"HTTP {r.status_code}"
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            result.record((time.perf_counter() - began) * 1000, error)


def run_load(url: str, *, clients: int, questions_per_client: int, questions: Sequence[str],
             timeout_s: float = 60.0, api_key: str = "") -> LoadResult:
    url = require_loopback(url)
    if clients < 1 or questions_per_client < 1 or clients > 1000 or questions_per_client > 10_000:
        raise ValueError("--clients must be 1..1000 and --questions 1..10000")
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    result = LoadResult()
    threads = [threading.Thread(target=_client_loop, name=f"load-{i}", daemon=True,
                                args=(url, list(questions), i, questions_per_client, timeout_s, headers, result))
               for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.wall_s = time.perf_counter() - began
    return result


def gold_questions(path: str | None) -> list[str]:
    if not path:
        return list(FALLBACK_QUESTIONS)
    from eval.gold import load_gold

    return [q.question for q in load_gold(path)] or list(FALLBACK_QUESTIONS)


def main(args: argparse.Namespace) -> int:
    try:
        result = run_load(args.url, clients=args.clients,
                          questions_per_client=args.questions,
                          questions=gold_questions(args.gold), timeout_s=args.timeout,
                          api_key=os.environ.get("ZHICE_API_KEY", ""))
    except ValueError as exc:
        print(f"error: {exc}")
        return 2
    print(f"load: {args.clients} clients x {args.questions} questions against {args.url}")
    print(result.summary())
    return 1 if result.errors else 0
