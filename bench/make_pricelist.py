"""Write a deterministic synthetic price list of N rows in Microsoft's NCE format.

    python bench/make_pricelist.py 200000 var/bench/pricelist.csv [--it-only]

Without --it-only the rows span eleven European markets and six currencies like a real download
(about 1 in 11 is IT/EUR); with it every row is Italian, the importer's worst case.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog.pricelist.synthetic import EUROPEAN_MARKETS, IT_ONLY, synthetic_rows
from catalog.pricelist.writer import pricelist_write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, help="number of data rows")
    parser.add_argument("output", type=Path, help="CSV file to write")
    parser.add_argument("--it-only", action="store_true", help="every row for market IT, EUR")
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    markets = IT_ONLY if args.it_only else EUROPEAN_MARKETS
    with args.output.open("w", encoding="utf-8", newline="") as stream:
        written = pricelist_write(stream=stream, rows=synthetic_rows(args.rows, markets=markets))
    print(f"{written} rows written to {args.output}")


if __name__ == "__main__":
    main()
