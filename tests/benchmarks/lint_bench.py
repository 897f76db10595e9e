"""The blameless-check figure: ``Checker.check`` over a long synthetic post-mortem.

:func:`bench_lint` writes a Markdown post-mortem of about ``words`` words (headings,
paragraphs, lists, a timeline table, fenced code, quoted chat logs, links; accented names;
about one blameful sentence in six), then times the shipped rules over it with the checker
built once, as the editor keeps it: the median of :data:`REPEATS` runs after one warm-up.
A 20-page post-mortem is about 10,000 words (60 KB). Goal: under 50 ms, so checking as
someone types never lags. ``run.py`` does not call it yet; to register it there::

    from lint_bench import bench_lint

    def bench_lint_postmortem(sizes: Sizes) -> list[Figure]:
        return bench_lint((sizes.lint_words,))   # Sizes.lint_words: 10_000 full, 500 quick

    BENCHMARKS["lint_postmortem"] = bench_lint_postmortem

By hand::

    python tests/benchmarks/lint_bench.py [WORDS ...]      # default: 10,000 and 100,000
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any

from incidentdesk.infra.rules import default_checker

GOAL_MS = 50.0
REPEATS = 9
SEED = 20261126
PEOPLE = ("Maya Chen", "Sam Okafor", "Zoë Laurent", "José Ruiz", "Łukasz Nowak", "Priya Nair")
SERVICES = ("payments-api", "ledger-service", "checkout-web", "auth-gateway", "search-indexer")

NEUTRAL = (
    "At {t} UTC the error rate on {svc} rose to {n}% and the alert paged the primary on-call.",
    "{name} acknowledged the page and opened the {svc} dashboard.",
    "The deploy pipeline promoted build {n} to production without a canary stage.",
    "Latency p99 on {svc} climbed to {n} ms while the connection pool was saturated.",
    "{name} rolled back {svc} to the previous release, and the error rate recovered.",
    "The runbook for {svc} described a manual failover that took about {n} minutes.",
    "Customers in São Paulo and Zürich reported failed checkouts through support.",
    "The certificate rotation job had no alert when it stopped running.",
    "We did not have a dashboard that showed replica lag per region.",
    "The retry policy multiplied traffic to {svc} by a factor of {n} during the outage.",
    "The just-in-time compiler warmed up slowly after each restart of {svc}.",
    "Fault tolerance in the queue layer kept orders from being lost.",
    "The team held a root cause analysis session the following week.",
    "The pod failed to start because the config map referenced a deleted secret.",
    "The status page was updated every {n} minutes by the communications lead.",
)
BLAMEFUL = (
    "{name} forgot to renew the certificate.",
    "We should have noticed the disk filling up earlier.",
    "It was just a one-line config change.",
    "The root cause was a typo in the load balancer config.",
    "This was human error during the migration.",
    "Obviously the alert threshold was too high.",
    "The on-call engineer failed to escalate in time.",
    "It was {name}'s mistake to skip the canary.",
)
CODE = (
    "```yaml\n"
    "# we should have just set this\n"
    "replicas: {n}\n"
    "timeout: 30s  # obviously too short\n"
    "```"
)
CHAT = (
    "> {name}: why didn't the alert fire?\n"
    "> {name}: I just restarted it, should be fine now\n"
    "> {name}: that was careless of me"
)


def synthetic_postmortem(words: int, seed: int = SEED) -> str:
    """A Markdown post-mortem of about ``words`` words."""
    rng = random.Random(seed)
    parts: list[str] = ["# Post-mortem: checkout outage in São Paulo\n"]
    count = 0
    section = 0
    while count < words:
        if count >= section * 800:
            section += 1
            parts.append(f"\n## Section {section}: what happened\n")
        fill = {
            "t": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
            "svc": rng.choice(SERVICES),
            "n": rng.randint(2, 500),
            "name": rng.choice(PEOPLE).split()[0],
        }
        roll = rng.random()
        if roll < 0.04:
            block = "\n" + CODE.format(**fill) + "\n"
        elif roll < 0.08:
            block = "\n" + CHAT.format(**fill) + "\n"
        elif roll < 0.12:
            block = "\n".join(
                f"- {rng.choice(NEUTRAL).format(**fill)} See `{fill['svc']}` and "
                f"https://runbooks.example.com/{fill['svc']}#just-restart"
                for _ in range(3)
            )
        elif roll < 0.15:
            block = "| time | event |\n|---|---|\n" + "\n".join(
                f"| {fill['t']} | {rng.choice(NEUTRAL).format(**fill)} |" for _ in range(4)
            )
        else:
            sentences = [
                (rng.choice(BLAMEFUL) if rng.random() < 1 / 6 else rng.choice(NEUTRAL)).format(
                    **fill
                )
                for _ in range(rng.randint(3, 6))
            ]
            block = " ".join(sentences)
        parts.append(block + "\n\n")
        count += len(block.split())
    return "".join(parts)


def bench_lint(sizes: Sequence[int] = (10_000,)) -> list[dict[str, Any]]:
    """Time the shipped rules over a synthetic post-mortem of each size (in words).

    One figure per size (in the shape of ``run.figure``): ``lint_postmortem`` for the first
    size, ``lint_postmortem.<words>w`` for the others; the value is the median of
    :data:`REPEATS` runs (ms) after one warm-up, with the text's size, the findings and the
    fastest and slowest run in ``parameters``.
    """
    checker = default_checker(PEOPLE)  # built once, as the editor keeps it
    figures: list[dict[str, Any]] = []
    for index, words in enumerate(sizes):
        text = synthetic_postmortem(words)
        findings = checker.check(text)  # warm-up
        times: list[float] = []
        for _ in range(REPEATS):
            gc.collect()
            start = time.perf_counter()
            checker.check(text)
            times.append((time.perf_counter() - start) * 1000)
        name = "lint_postmortem" if index == 0 else f"lint_postmortem.{words}w"
        figures.append(
            {
                "name": name,
                "value": round(statistics.median(times), 2),
                "unit": "ms",
                "parameters": {
                    "words": len(text.split()),
                    "characters": len(text),
                    "kilobytes": round(len(text.encode()) / 1000, 1),
                    "lines": text.count("\n") + 1,
                    "rules": len(checker.rules),
                    "people": len(PEOPLE),
                    "findings": len(findings),
                    "repeats": REPEATS,
                    "min_ms": round(min(times), 2),
                    "max_ms": round(max(times), 2),
                    "goal_ms": GOAL_MS if index == 0 else None,
                },
            }
        )
    return figures


if __name__ == "__main__":
    words = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    print(json.dumps(bench_lint(words), ensure_ascii=False, indent=2))
