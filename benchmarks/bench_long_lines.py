"""How extraction time grows with the number of lines on a page.

A page of many short lines (feeds, tables, navigation) once took time
quadratic in its lines (kg_lines set sentence starts one token at a time).
This prints seconds per page for 2,000, 8,000 and 32,000 lines through the
rules-only pipeline, and the ratio to the 2,000-line page: linear growth gives
about 4 and 16. It prints; it never fails.

    python benchmarks/bench_long_lines.py
"""

from __future__ import annotations

import time

from kg_builder.chunking import extract_long
from kg_builder.extract import build_nlp
from kg_builder.model import Article


def main() -> None:
    nlp = build_nlp(None)

    def seconds(lines: int) -> float:
        text = "No news.\n" * lines
        article = Article(id=f"lines-{lines}", text=text, source="bench.txt")
        start = time.perf_counter()
        for _ in extract_long([article], nlp):
            pass
        return time.perf_counter() - start

    seconds(500)  # warm up
    base = seconds(2_000)
    print(f"{'lines':>7} {'seconds':>8} {'ratio':>6}")
    for lines in (2_000, 8_000, 32_000):
        s = base if lines == 2_000 else seconds(lines)
        print(f"{lines:>7} {s:>8.3f} {s / base:>6.1f}")


if __name__ == "__main__":
    main()
