from kyoso.lib.text import normalize_width


def test_full_width_digits_and_letters_become_half_width():
    assert normalize_width("ＡＢＣ１２３") == "ABC123"


def test_ideographic_spaces_are_trimmed():
    assert normalize_width("\u3000和歌山市\u3000") == "和歌山市"


def test_half_width_katakana_becomes_full_width():
    assert normalize_width("ﾜｶﾔﾏｼ") == "ワカヤマシ"
