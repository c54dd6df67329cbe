"""FAQ search latency on the shipped knowledge base; prints one JSON object.

Measures the index build, then each query cold (first time: stemming and typo look-ups not yet
memoised) and warm (repeated), over a mix of plain, misspelt, compound and synonym queries.
Target: < 5 ms per query.

Run: .venv/bin/python benchmarks/bench_faq_search.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from callcenter.scripting import FileKnowledgeSource, KnowledgeBase
from callcenter.scripting.catalog import DATA_DIR

TARGET_MS = 5.0
QUERIES = [
    "загранпаспорт", "загран паспорта", "загранпасспорт", "сколько стоит загранник",
    "замена паспорта в 45 лет", "украли паспорт", "штраф просроченый паспорт", "как прописаться",
    "холодные батареи в квартире", "атопление", "отключили горячую воду", "нет гвс",
    "ржавая вода из крана", "мусор не вывозят уже неделю", "вывезти старый диван мебель",
    "субсидия на коммуналку", "пособие на ребенка", "выплата на детей", "отказали в пособии",
    "маткапитал", "когда придет пособие", "запись к доктору", "записатся к терапефту",
    "вызвать врача на дом", "получить страховку омс", "полис новорожденному",
    "льготный проездной", "потерял соцкарту", "пожаловаться на водителя маршрутки",
    "забыл сумку в автобусе", "адрес мфц", "забыл пароль госуслуги", "жалоба на чиновника",
    "как долго ждать ответа на моё обращение в администрацию города по поводу ямы во дворе",
]  # fmt: skip


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return {
        "mean_ms": _ms(statistics.fmean(ordered)),
        "p50_ms": _ms(statistics.median(ordered)),
        "p95_ms": _ms(p95),
        "max_ms": _ms(ordered[-1]),
    }


def _timed_search(kb: KnowledgeBase, query: str) -> float:
    start = time.perf_counter()
    kb.search(query, limit=5)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200, help="warm repetitions of the set")
    args = parser.parse_args()

    start = time.perf_counter()
    data = FileKnowledgeSource.from_directory(DATA_DIR / "kb").load()
    loaded = time.perf_counter()
    kb = KnowledgeBase(data)
    built = time.perf_counter()

    cold = [_timed_search(kb, q) for q in QUERIES]
    warm = [_timed_search(kb, q) for _ in range(args.rounds) for q in QUERIES]
    result = {
        "benchmark": "faq_search",
        "faq_entries": len(kb.faq_entries),
        "queries": len(QUERIES),
        "warm_searches": len(warm),
        "load_yaml_ms": _ms(loaded - start),
        "build_index_ms": _ms(built - loaded),
        "cold": _summary(cold),
        "warm": _summary(warm),
        "target_ms": TARGET_MS,
        "within_target": max(cold + warm) * 1000 < TARGET_MS,
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
