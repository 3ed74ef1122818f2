from dianti.voices.mining.normalize import clean, is_blank, normalize, to_simplified


def test_full_width_letters_and_digits_become_half_width() -> None:
    assert normalize("Ａ３区１２３号楼") == "a3区123号楼"


def test_traditional_characters_become_simplified() -> None:
    assert to_simplified("海鹽縣武原街道路燈不亮，請儘快維修") == "海盐县武原街道路灯不亮，请尽快维修"
    assert normalize("點題述職") == "点题述职"


def test_script_style_and_tags_are_stripped_and_entities_decoded() -> None:
    raw = "<script>alert('x')</script><style>p{}</style><p>路灯&nbsp;<b>不亮</b></p><!-- c -->"
    assert clean(raw) == "路灯 不亮"
    assert "alert" not in normalize(raw)


def test_emoji_is_kept_for_display_and_dropped_for_analysis() -> None:
    assert clean("路灯不亮😡👍") == "路灯不亮😡👍"
    assert normalize("路灯不亮😡👍") == "路灯不亮"


def test_whitespace_and_control_characters_collapse() -> None:
    assert clean("  路灯\t\n\n不亮\u200b\x00 ") == "路灯 不亮"


def test_length_is_capped() -> None:
    assert len(clean("长" * 10_000, max_chars=500)) == 500
    assert len(normalize("长" * 10_000)) == 2000


def test_blank_inputs() -> None:
    assert normalize(None) == ""
    assert is_blank("   <br> 😀 ")
    assert not is_blank("路灯")


def test_nfkc_by_runs_is_nfkc() -> None:
    import unicodedata

    from dianti.voices.mining.normalize import nfkc

    # What the shortcut rests on: every ideograph of the range is its own NFKC form, a starter, and the first half
    # of no canonical composition.
    ideographs = range(0x4E00, 0xA000)
    assert all(unicodedata.normalize("NFKC", chr(c)) == chr(c) and not unicodedata.combining(chr(c)) for c in ideographs)
    for code in range(0x110000):
        parts = unicodedata.decomposition(chr(code)).split()
        assert not (len(parts) == 2 and not parts[0].startswith("<") and 0x4E00 <= int(parts[0], 16) < 0xA000)
    for text in ("Ａ３区魏家坡小区，路灯不亮！㈱公司 ｶﾀｶﾅ 电话：１２３４５", "路灯\u0301坏了 A\u0301 ﬁ", "", "纯中文"):
        assert nfkc(text) == unicodedata.normalize("NFKC", text)
