"""A synthetic national corpus: N reports of plausible agencies across provinces and levels, each
agency reporting for consecutive years, with known truth.

    python -m bench.national OUT_DIR [--n 10000] [--seed 1] [--mix html=0.5,text=0.3,docx=0.1,pdf=0.1]
                                     [--error-share 0.03]

writes OUT_DIR/docs/<name>.<ext>, OUT_DIR/truth/<name>.json (score with ``ogi eval``) and
OUT_DIR/agencies.csv. Consecutive reports of one agency agree across years (requests carried over
= last year's carried to next year; documents in force chain through issued and repealed), so the
cross-year rules pass unless an error is injected. A share of reports carries one real-world
error (a total that does not add up, a 表四 total off, a carry-over that does not match last
year); its truth file lists the rule it breaks under ``rule_violations``."""

from __future__ import annotations

import argparse
import csv
import json
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from extract.keys import GB2019, GB2021, T3_COLUMNS

from .generate import FORMATS, docx_to_pdf, inject_error, make_sample_for, render_sample

PROVINCES = {
    "江苏省": ("南京市", "苏州市", "淮安市", "徐州市", "盐城市"),
    "浙江省": ("杭州市", "宁波市", "丽水市", "温州市"),
    "河南省": ("郑州市", "商丘市", "新乡市", "洛阳市"),
    "河北省": ("石家庄市", "邢台市", "保定市"),
    "安徽省": ("合肥市", "宣城市", "芜湖市"),
    "福建省": ("福州市", "厦门市", "泉州市"),
    "甘肃省": ("兰州市", "定西市", "天水市"),
    "云南省": ("昆明市", "红河哈尼族彝族自治州", "大理白族自治州"),
    "四川省": ("成都市", "绵阳市", "宜宾市"),
    "广东省": ("广州市", "深圳市", "佛山市", "湛江市"),
    "湖北省": ("武汉市", "宜昌市", "襄阳市"),
    "山东省": ("济南市", "青岛市", "潍坊市"),
}
COUNTY_SUFFIXES = ("区", "县", "市")
COUNTY_STEMS = (
    "洪泽", "金平", "卫滨", "民权", "宁国", "晋安", "安宁", "清河", "永和", "龙泉", "东湖", "西峡", "南溪", "鼓楼",
    "朝阳", "通州", "新华", "城关", "长安", "和平", "江北", "河东", "建华", "铁西", "平山", "丰润", "开平", "高新",
    "桃源", "临川", "青山", "白云", "太平", "兴隆", "宝山", "金山", "普安", "阜宁", "射阳", "滨海", "灌南", "沭阳",
    "泗洪", "盱眙", "涟水", "金湖", "宝应", "高邮", "仪征", "江都", "邗江", "广陵", "丹徒", "句容", "溧阳", "宜兴",
)  # fmt: skip
PROVINCE_BODIES = ("人民政府办公厅", "自然资源厅", "教育厅", "生态环境厅", "市场监督管理局", "卫生健康委员会")
CITY_BODIES = (
    "人民政府办公室", "自然资源和规划局", "教育局", "市场监督管理局", "生态环境局", "公安局", "住房和城乡建设局"
)  # fmt: skip
COUNTY_BODIES = ("人民政府", "人民政府办公室", "教育局", "卫生健康委员会", "市场监督管理局", "农业农村局")
TOWNSHIP_NAMES = ("城关镇人民政府", "新城街道办事处", "高桥镇人民政府", "东岗乡人民政府")
MIX = {"html": 0.45, "html_gbk": 0.1, "tsv": 0.1, "cell_per_line": 0.1, "markdown": 0.05, "docx": 0.1, "pdf": 0.1}
YEARS = range(2019, 2026)


def agencies(rng: random.Random):
    """Distinct agencies, endlessly (until the name space runs out): name, province, level
    (province, prefecture, county, township). County names repeat across prefectures, as they do."""
    seen, misses = set(), 0
    while misses < 10_000:
        province = rng.choice(list(PROVINCES))
        city = rng.choice(PROVINCES[province])
        level = rng.choices(("province", "prefecture", "county", "township"), (1, 3, 6, 3))[0]
        county = rng.choice(COUNTY_STEMS) + rng.choice(COUNTY_SUFFIXES)
        if level == "province":
            name = province + rng.choice(PROVINCE_BODIES)
        elif level == "prefecture":
            name = city + rng.choice(CITY_BODIES)
        elif level == "county":
            name = city + county + rng.choice(COUNTY_BODIES)
        else:
            name = city + county + rng.choice(TOWNSHIP_NAMES)
        if name in seen:
            misses += 1
            continue
        seen.add(name)
        misses = 0
        yield {"agency": name, "province": province, "level": level}
    raise SystemExit(f"the agency name space is used up after {len(seen)} agencies")


def _chain(truth: dict, previous: dict | None) -> None:
    """Make this year's truth continue last year's: carried over = last year's carried to next
    year, per column; documents in force = last year's + issued - repealed (gb2021 both years)."""
    if previous is None:
        return
    t3, prev3 = truth["table3"], previous["table3"]
    for col in T3_COLUMNS[:-1]:
        carried = prev3["carried_to_next"][col] or 0  # printed as NA or blank last year: 0
        t3["carried_over"][col] = carried
        need = carried - (t3["out_total"][col] + t3["carried_to_next"][col])
        if need > 0:  # more carried in than handled and carried on: these were granted this year
            t3["out_granted"][col] += need
            t3["out_total"][col] += need
        t3["new_received"][col] = t3["out_total"][col] + t3["carried_to_next"][col] - carried
    for row in t3.values():
        row["total"] = sum(row[c] for c in T3_COLUMNS[:-1])
    if truth["report"]["format_version"] == GB2021 and previous["report"]["format_version"] == GB2021:
        for item in ("regulation", "normative_doc"):
            cur, prev = truth["table2"][item], previous["table2"][item]
            in_force = prev["in_force"] or 0
            cur["repealed"] = min(cur["repealed"], in_force + cur["issued"])
            cur["in_force"] = in_force + cur["issued"] - cur["repealed"]


def _series(rng: random.Random) -> list[int]:
    length = rng.choices((1, 2, 3, 4, 5, 7), (2, 3, 3, 2, 2, 1))[0]
    start = rng.randint(YEARS.start, YEARS.stop - length)
    return list(range(start, start + length))


def generate_national(
    out: Path, n: int, seed: int, mix: dict[str, float] = MIX, error_share: float = 0.03, pdf_workers: int = 2
) -> list[Path]:
    rng = random.Random(seed)
    docs, truths = out / "docs", out / "truth"
    docs.mkdir(parents=True, exist_ok=True)
    truths.mkdir(parents=True, exist_ok=True)
    shapes, weights = zip(*mix.items(), strict=True)
    written, pending_pdf, directory = [], [], []
    pool = agencies(rng)
    while len(written) < n:
        agency = next(pool)
        directory.append(agency)
        previous = None
        for year in _series(rng):
            if len(written) >= n:
                break
            fmt = rng.choices(shapes, weights)[0]
            version = GB2019 if year <= 2020 else GB2021
            if version == GB2019 and fmt in ("docx", "pdf"):
                fmt = "html"  # the bundled DOCX template is the gb2021 form
            erroneous = rng.random() < error_share

            def adjust(truth: dict, previous: dict | None = previous, erroneous: bool = erroneous) -> None:
                _chain(truth, previous)
                if erroneous:
                    inject_error(rng, truth, previous is not None)

            sample = make_sample_for(rng, fmt, version, agency["agency"], year, adjust)
            name = f"nat{len(written):06d}_{fmt}"
            path = render_sample(sample, fmt, docs / name, rng)
            if fmt == "pdf":
                pending_pdf.append(path)
                path = path.with_suffix(".pdf")
            sample.truth["report"]["province"] = agency["province"]
            sample.truth["report"]["level"] = agency["level"]
            sample.truth["file"] = path.name
            sample.truth["generated_as"] = fmt
            (truths / f"{name}.json").write_text(json.dumps(sample.truth, ensure_ascii=False), encoding="utf-8")
            written.append(path)
            previous = sample.truth
    with (out / "agencies.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["agency", "province", "level"])
        w.writeheader()
        w.writerows(directory)
    _docx_to_pdf_parallel(pending_pdf, docs, pdf_workers)
    return written


def _docx_to_pdf_parallel(files: list[Path], outdir: Path, workers: int, per_call: int = 200) -> None:
    """LibreOffice converts one file at a time per process: run several, in batches."""
    batches = [files[i : i + per_call] for i in range(0, len(files), per_call)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda batch: docx_to_pdf(batch, outdir), batches))


def _parse_mix(text: str) -> dict[str, float]:
    mix = {}
    for part in text.split(","):
        name, _, share = part.partition("=")
        shapes = {"html": ("html", "html_gbk"), "text": ("tsv", "cell_per_line", "markdown")}.get(name, (name,))
        for s in shapes:
            if s not in FORMATS:
                raise SystemExit(f"unknown format {s!r}; formats: {', '.join(FORMATS)}, html, text")
            mix[s] = float(share) / len(shapes)
    return mix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mix", type=_parse_mix, default=MIX, help="shares per format, e.g. html=0.6,text=0.4")
    parser.add_argument("--error-share", type=float, default=0.03)
    args = parser.parse_args()
    files = generate_national(args.out, args.n, args.seed, args.mix, args.error_share)
    print(f"{len(files)} reports in {args.out / 'docs'}, truth in {args.out / 'truth'}")


if __name__ == "__main__":
    main()
