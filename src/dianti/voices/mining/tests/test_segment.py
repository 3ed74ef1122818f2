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
    generated = [b for run in _generated_runs(2000, 11) for b in segment._blocks.split(run) if segment._blocks.match(b)]
    for block in blocks + generated:
        assert cutter.cut(block) == tuple(tokenizer._Tokenizer__cut_DAG(block))


def _generated_runs(n: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    text = normalize("魏家坡小区路灯坏了一个多月溁湾路小学门口每天晚上还在敲伊景园滨河苑捆绑车位销售合法吗建达鸿公司德新邦资夲"
                     "城建遗畄办不作为暮云街道丽发新城社区搅拌站噪音污染严重的了是我你他")
    mixed = text + "abc123.5%x-_"
    return [text[i : i + rng.randint(1, 12)] for i in range(len(text))] + [
        "".join(rng.choice(mixed) for _ in range(rng.randint(1, 25))) for _ in range(n)]


def test_the_hmm_cuts_as_jiebas_finalseg_does() -> None:
    from jieba import finalseg

    from dianti.voices.mining import segment
    from dianti.voices.mining.route import hmm_cut

    segment.warm_up()  # the shipped dictionary's unwords are words the HMM must not make either
    assert finalseg.Force_Split_Words
    for run in [*_generated_runs(3000, 7), *finalseg.Force_Split_Words]:
        assert hmm_cut(run) == list(finalseg.cut(run)), run


def test_the_cached_dictionary_is_the_one_made_afresh(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import jieba

    from dianti.voices.mining import segment

    monkeypatch.setenv("DIANTI_MINING_CACHE", str(tmp_path))
    made, made_cutter = segment._prepared(jieba)
    assert len(list(tmp_path.iterdir())) == 1
    read, read_cutter = segment._prepared(jieba)
    assert read.FREQ == made.FREQ and read.total == made.total and read_cutter.logp == made_cutter.logp
    for run in _generated_runs(500, 3):
        assert read_cutter.cut(run) == made_cutter.cut(run)
    next(tmp_path.iterdir()).write_bytes(b"\x00broken")  # an unreadable cache is made again
    again, _cutter = segment._prepared(jieba)
    assert again.FREQ == made.FREQ
    monkeypatch.setenv("DIANTI_MINING_CACHE", "off")
    assert segment._prepared(jieba)[0].total == made.total
