"""CPU seconds to read and check product files of each format we read; prints figures, asserts nothing.

    python bench/catalog_read.py                    # 100,000 products (3 variants each in the store exports)
    python bench/catalog_read.py --products 10000 --repeat 3

The files are generated in memory, shaped like the fixtures in tests/data/catalog/ (an HTML description with a
quoted comma, images, a BOM for Shopify, decimal commas for the semicolon template). Each format is read
(`read_catalog_file`) and every row checked (`check_row`, `check_variant_row`) `--repeat` times; the best run
is printed (process CPU time, so other load on the machine counts less).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from klaviyo_core.catalog import check_row, check_variant_row, read_catalog_file

STORE = "https://shop.example.com"
DESCRIPTION = '"<p>Soft cotton, narrow collar.</p><ul><li>Machine wash</li></ul>"'


def shopify(n: int) -> bytes:
    lines = [
        "Handle,Title,Body (HTML),Vendor,Published,Option1 Name,Option1 Value,Variant SKU,Variant Inventory Qty,"
        "Variant Inventory Policy,Variant Price,Image Src,Variant Image,Status"
    ]
    for i in range(n):
        h = f"product-{i}"
        lines.append(
            f"{h},Product {i},{DESCRIPTION},Acme,TRUE,Size,S,{h}-S,5,deny,19.99,https://cdn.example.com/{i}.jpg,,active"
        )
        lines.append(f"{h},,,,,,M,{h}-M,0,continue,21.00,https://cdn.example.com/{i}-b.jpg,,")
        lines.append(f"{h},,,,,,L,,3,deny,21.00,,https://cdn.example.com/{i}-l.jpg,")
    return b"\xef\xbb\xbf" + "\r\n".join(lines).encode()


def woocommerce(n: int) -> bytes:
    lines = [
        'ID,Type,SKU,Name,Published,Description,Regular price,Sale price,Stock,"Backorders allowed?",Images,Parent'
    ]
    for i in range(n):
        pid = 10 * i + 1
        images = f'"https://cdn.example.com/{i}.jpg, https://cdn.example.com/{i}-2.jpg"'
        lines.append(f"{pid},variable,W-{i},Hoodie {i},1,{DESCRIPTION},45,,30,0,{images},")
        for k, size in enumerate(("S", "M", "L"), start=1):
            lines.append(f'{pid + k},variation,W-{i}-{size},"Hoodie {i} - {size}",1,,45,39,parent,notify,,id:{pid}')
    return "\n".join(lines).encode()


def merchant_feed(n: int) -> bytes:
    lines = ["id\ttitle\tdescription\tlink\timage_link\tprice\tavailability\titem_group_id"]
    for i in range(n):
        for size in ("S", "M", "L"):
            lines.append(
                f"G{i}-{size}\tTee {i} {size}\tSoft, cotton\thttps://shop.example.com/t/{i}\t"
                f"https://cdn.example.com/{i}.jpg\t19.99 USD\tin_stock\tG{i}"
            )
    return "\n".join(lines).encode()


def semicolon_template(n: int) -> bytes:
    lines = ["external_id;title;description;url;price;image_url;published"]
    lines += [
        f"FR-{i};Théière {i};Fonte émaillée, 1 l;https://boutique.example.fr/p/{i};1.249,90;"
        f"https://cdn.example.fr/{i}.jpg;true"
        for i in range(n)
    ]
    return "\r\n".join(lines).encode("cp1252")


def best_cpu(step: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        step()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    formats = {
        "Shopify export": (shopify, STORE),
        "WooCommerce export": (woocommerce, STORE),
        "Merchant Center TSV": (merchant_feed, None),
        "template ; decimal ,": (semicolon_template, None),
    }
    print(f"{args.products:,} products per file, best of {args.repeat} (process CPU seconds)")
    print(f"{'format':<22}{'MB':>7}{'rows':>10}{'variants':>10}{'read s':>9}{'check s':>9}{'rows/s':>11}")
    for name, (make, store_url) in formats.items():
        data = make(args.products)
        read = read_catalog_file(data, store_url=store_url)
        reading = best_cpu(lambda d=data, s=store_url: read_catalog_file(d, store_url=s), args.repeat)  # type: ignore[misc]

        def check(file=read) -> None:  # type: ignore[no-untyped-def]
            for row in file.rows:
                check_row(row)
            for row in file.variants:
                check_variant_row(row)

        checking = best_cpu(check, args.repeat)
        total = len(read.rows) + len(read.variants)
        rate = total / max(reading + checking, 1e-9)
        print(
            f"{name:<22}{len(data) / 1e6:>7.1f}{len(read.rows):>10,}{len(read.variants):>10,}"
            f"{reading:>9.2f}{checking:>9.2f}{rate:>11,.0f}"
        )


if __name__ == "__main__":
    main()
