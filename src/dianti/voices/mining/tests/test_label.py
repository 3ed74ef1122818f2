from dianti.voices.mining.label import KeywordIndex, concern_name, readable_title


def test_title_drops_boilerplate_and_is_capped() -> None:
    assert readable_title("关于雪水港村路灯不亮的问题") == "雪水港村路灯不亮的问题"
    long = readable_title("反映" + "很长的标题" * 20)
    assert len(long) == 30 and long.endswith("…")


def test_title_falls_back_to_the_first_sentence() -> None:
    assert readable_title("", "雪水港村路灯坏了。晚上很黑。") == "雪水港村路灯坏了"


def test_keywords_are_specific_to_the_topic_and_skip_admin_places() -> None:
    index = KeywordIndex()
    index.add("t1", ["路灯", "通元镇", "漆黑"], ["晚上"])
    index.add("t1", ["路灯", "修理"], ["晚上"])
    index.add("t2", ["垃圾", "清运"], ["晚上"])
    index.add("_rest", ["公交", "晚上"])
    words = index.keywords("t1", k=3)
    assert words[0] == "路灯"
    assert "通元镇" not in words
    assert index.keywords("missing") == []


def test_an_index_stored_without_its_running_sum_gives_the_same_keywords() -> None:
    fresh, old = KeywordIndex(), KeywordIndex()
    del old.weight  # as unpickled from a state stored before the sum was kept
    for index in (fresh, old):
        index.add("t1", ["路灯", "不亮"], ["晚上", "路灯", "海盐县"])
        index.add("t2", ["垃圾"], ["清运", "发臭"])
    assert old.keywords("t1") == fresh.keywords("t1")
    old.add("t1", ["路灯"], ["漆黑"])
    fresh.add("t1", ["路灯"], ["漆黑"])
    assert old.weight == fresh.weight == sum(fresh.total.values())


IDLE_HOUSES = ["村里闲置农房太多了，希望盘活", "老街有不少老房子空着没人住，希望村里想办法盘活",
               "闲置农房能不能租出去搞民宿", "我想反映个情况，闲置农房没人管"]
STREET_LIGHTS = ["我们村的路灯老早就坏了嘞，晚上黑漆漆的", "村口路灯不亮好几个月了", "路灯坏掉了咯，走夜路怕摔"]
CULTURE_HALL = ["富溪村文化礼堂平时大门紧锁，希望常态化开放", "文化礼堂老是关着，老人没地方活动", "礼堂能不能开放一下嘞"]


def test_a_topic_is_named_by_the_action_its_people_ask_for_and_the_thing_they_share() -> None:
    assert concern_name(IDLE_HOUSES) == "盘活闲置农房"


def test_the_action_is_implied_by_the_problem_when_nobody_writes_it() -> None:
    assert concern_name(STREET_LIGHTS) == "修复路灯"


def test_the_longer_name_of_the_thing_wins_when_half_its_users_write_it() -> None:
    assert concern_name(CULTURE_HALL) == "开放文化礼堂"


def test_a_state_of_a_place_is_named_place_and_problem() -> None:
    assert concern_name(["个情况，我家门口的路一下雨就积水", "门口的路积水严重"]) == "门口积水"


def test_openers_and_particles_never_reach_the_name() -> None:
    for texts in (IDLE_HOUSES, STREET_LIGHTS, CULTURE_HALL, ["个情况，老房子空着嘞", "老房子空着咯"]):
        name = concern_name(texts, fallback="兜底")
        assert 4 <= len(name) <= 12
        assert not any(word in name for word in ("我想反映", "个情况", "希望", "嘞", "咯", "，"))


def test_the_topic_keywords_pick_the_specific_thing_over_a_common_one() -> None:
    texts = ["小区路灯不亮", "小区里路灯坏了", "小区出门太黑"]
    assert concern_name(texts) == "修复小区"  # without keywords only counts speak
    assert concern_name(texts, specific=["路灯", "不亮"]) == "修复路灯"


def test_the_readable_title_is_the_fallback_when_nothing_is_shared() -> None:
    texts = ["建议多种点树", "广场舞音响太吵"]
    assert concern_name(texts, fallback=readable_title("", texts[0])) == "多种点树"


def test_without_a_shared_phrase_the_central_opinion_s_problem_clause_names_the_topic() -> None:
    texts = ["村里领导好，末班车老早就没了，老人去看病很不方便，希望想想办法嘞", "等公交要等一个钟头咯"]
    assert concern_name(texts, fallback="村里领导好，末班车老早就没了，老人去看病很不方便…") == "末班车老早就没了"


def test_the_talent_housing_subsidy_topic_is_named_by_its_shared_phrase_not_a_raw_title() -> None:
    from dianti.voices.mining.label import name_topic

    named = name_topic([("A市人才购房补贴的疑问", ""), ("在A市买公寓能享受人才新政购房补贴吗", "")])
    assert (named.text, named.source) == ("购房补贴", "phrase")


def test_the_idle_houses_are_named_as_a_concern_not_the_sentence_a_villager_wrote() -> None:
    from dianti.voices.mining.label import name_topic

    texts = [f"{p}有不少老房子空着没人住，希望村里想办法盘活" for p in ("老街", "三组", "北横路")]
    named = name_topic([("", t) for t in texts])
    assert named.text.startswith("盘活") and named.text != readable_title("", texts[0])


def test_a_phrase_too_short_to_name_takes_the_word_most_members_write_beside_it() -> None:
    from dianti.voices.mining.label import name_topic

    assert name_topic([("", "网上办理居住证的疑问"), ("", "办理居住证太难了")]).text == "办理居住证"


def test_without_a_phrase_the_title_loses_its_leading_place_and_trailing_question() -> None:
    from dianti.voices.mining.label import _trimmed, name_topic

    named = name_topic([("A市美的翰城小区装修质量与价格严重不符", "")])
    assert (named.text, named.source) == ("美的翰城小区装修质量与价格严重不符", "trimmed")
    assert _trimmed("西地省荣军医院欠缴职工养老保险") == "荣军医院欠缴职工养老保险"
    assert _trimmed("泉塘小区停水的问题") == "泉塘小区停水"
    assert _trimmed("农贸市场太脏") == "农贸市场太脏"  # 市场 is no city


def test_a_topic_without_members_has_no_name() -> None:
    from dianti.voices.mining.label import name_topic

    assert name_topic([]).text == ""


def test_a_name_does_not_depend_on_the_process_hash_seed() -> None:
    """Two phrases every member shares equally (路灯, 水管) tie, as do the words written before and after a shared
    thing (楼楚 | 水源足浴 | 非法); the name must be the same in every process."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    src = str(Path(__file__).resolve().parents[4])
    script = ("from dianti.voices.mining.label import _extended, concern_name; "
              "print(concern_name(['路灯水管都坏了', '水管路灯都坏了']), _extended('水源足浴', ['楼楚水源足浴非法'] * 2))")
    names = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": src}).stdout.strip()
        for seed in range(6)
    }
    assert len(names) == 1 and "None" not in names.pop(), names
