from extract.values import looks_like_value, parse_value


def test_blank_na_and_zero_are_different_facts():
    assert parse_value("").value is None and parse_value("").flags == ["blank"]
    for marker in ("—", "-", "/", "无", "／", "——"):
        pv = parse_value(marker)
        assert pv.value is None and pv.flags == ["na_marker"], marker
    zero = parse_value("0")
    assert zero.value == 0 and zero.flags == []


def test_counts():
    assert parse_value("10909").value == 10909
    assert parse_value("\xa00").value == 0  # NBSP-prefixed zero as in web-page exports
    assert parse_value("１２３").value == 123  # full-width digits
    pv = parse_value("3,985,758")
    assert pv.value == 3985758 and "thousands_separator" in pv.flags
    assert parse_value("12件").value == 12


def test_decimal_in_a_count_is_not_guessed():
    pv = parse_value("12.5")
    assert pv.value is None and "decimal_in_count" in pv.flags


def test_money_in_wan_and_yuan():
    assert parse_value("4245.64", money=True).value == 4245.64
    pv = parse_value("251000元", money=True)
    assert pv.value == 25.1 and pv.unit == "万元" and "unit_converted" in pv.flags


def test_signed_values_only_where_allowed():
    assert parse_value("+1036", signed=True).value == 1036
    assert parse_value("-5", signed=True).value == -5
    assert "signed_in_unsigned" in parse_value("-5").flags


def test_value_tokens():
    assert looks_like_value("0") and looks_like_value("—") and looks_like_value("4245.64")
    assert not looks_like_value("1.属于国家秘密") and not looks_like_value("总计") and not looks_like_value("1.")
