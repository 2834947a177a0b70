from kyoso.lib.text import normalize_width, to_katakana


def test_full_width_digits_and_letters_become_half_width():
    assert normalize_width("ＡＢＣ１２３") == "ABC123"


def test_ideographic_spaces_are_trimmed():
    assert normalize_width("\u3000和歌山市\u3000") == "和歌山市"


def test_half_width_katakana_becomes_full_width():
    assert normalize_width("ﾜｶﾔﾏｼ") == "ワカヤマシ"


def test_hiragana_becomes_katakana_and_the_rest_stays():
    assert to_katakana("かいなんし") == "カイナンシ"
    assert to_katakana("ゔぁ・ゝ和歌山ABC") == "ヴァ・ゝ和歌山ABC"
