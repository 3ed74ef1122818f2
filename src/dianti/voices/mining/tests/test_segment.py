import subprocess
import sys

from dianti.voices.mining.features import add_words
from dianti.voices.mining.normalize import normalize
from dianti.voices.mining.segment import is_admin_place, is_place_name, tokenize


def test_importing_the_segmenter_is_quiet_and_does_not_load_jieba() -> None:
    code = "import sys, dianti.voices.mining.segment, dianti.voices.mining; print('jieba' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    assert done.stderr == ""


def test_haiyan_places_and_party_terms_are_single_words() -> None:
    tokens = tokenize(normalize("武原街道和西塘桥街道开展点题述职，澉浦镇推进乡村振兴和垃圾分类"))
    for word in ("武原街道", "西塘桥街道", "点题述职", "澉浦镇", "乡村振兴", "垃圾分类"):
        assert word in tokens


def test_stopwords_punctuation_and_numbers_are_dropped() -> None:
    tokens = tokenize(normalize("尊敬的领导您好，我们小区123号的路灯不亮了！谢谢"))
    assert "路灯" in tokens
    for dropped in ("尊敬", "领导", "您好", "我们", "123", "，", "谢谢", "的"):
        assert dropped not in tokens


def test_district_codes_stay_whole_and_are_administrative() -> None:
    tokens = tokenize(normalize("A3区魏家坡小区脏乱差"))
    assert "a3区" in tokens
    assert is_admin_place("a3区") and is_admin_place("海盐县") and is_admin_place("小区")
    assert not is_admin_place("魏家坡") and not is_admin_place("小区门口")


def test_unknown_names_are_place_names_and_taught_words_are_kept() -> None:
    assert is_place_name("魏家坡")
    assert not is_place_name("路灯")
    add_words(["雪水港村"])
    assert "雪水港村" in tokenize(normalize("雪水港村路灯不亮"))
    assert is_place_name("雪水港村")


def test_the_route_cutter_cuts_as_jieba_does() -> None:
    from dianti.voices.mining import segment
    from dianti.voices.mining.route import RouteCutter

    tokenizer = segment._get_tokenizer()
    cutter = RouteCutter(tokenizer)
    text = normalize(
        "A市暮云街道丽发新城社区附近搅拌站噪音污染严重，魏家坡小区路灯坏了一个多月，溁湾路小学门口每天晚上2点多还在"
        "敲敲敲；建达鸿公司与德新邦资夲有限公司合作，城建遗畄办不作为，伊景园滨河苑捆绑车位销售合法吗"
    )
    blocks = [b for b in segment._blocks.split(text) if b and segment._blocks.match(b)]
    assert len(blocks) >= 4
    for block in blocks:
        assert cutter.cut(block) == tuple(tokenizer._Tokenizer__cut_DAG(block))
