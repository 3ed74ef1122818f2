"""One opinion at a time: :func:`assign` places a new opinion in the mined state in a few milliseconds (see
:mod:`.pipeline`'s docstring for the rule)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import scipy.sparse as sp

from .features import opinion_terms
from .heat import Heat, heat
from .label import readable_title
from .normalize import normalize
from .records import REST, Assignment, Opinion, add_member, new_data, person_of
from .state import TopicsState


def assign(opinion: Opinion, state: TopicsState, *, category: str | None = None,
           now: datetime | None = None) -> Assignment:
    """Add ``opinion`` to the mined ``state`` (in place) and return where it went (see the module docstring).

    ``category`` (e.g. from a classifier) counts towards its topic's category. ``now`` moves the recency reference.
    """
    config = state.config
    if now is not None:
        state.now = now
    elif opinion.time is not None and (state.now is None or opinion.time > state.now):
        state.now = opinion.time
    title = normalize(opinion.title, max_chars=200)
    body = normalize(opinion.text, max_chars=config.analysis_chars)
    found = state.duplicates.add(f"{title} {body}")
    duplicate_of = state.duplicate_ids[found] if found is not None else None
    state.duplicate_ids.append(opinion.id)
    # An anonymous copy of an anonymous opinion is the same unknown person; otherwise anonymous is one new person.
    earlier = state.persons.get(duplicate_of or "", "")
    person = earlier if not opinion.user and earlier.startswith("anon:") else person_of(opinion, opinion.id)
    state.persons[opinion.id] = person
    analysed = opinion_terms(title, body)
    tokens = (analysed.title_tokens, analysed.body_tokens)
    vector = state.space.transform([analysed.terms])

    scores = state.sums.scores(vector, state.place_columns, config)
    if len(scores) and scores.max() >= config.link_threshold:
        topic_id = state.topic_ids[int(np.argmax(scores))]
        _join(state, topic_id, opinion, person, vector, tokens, category)
        return Assignment(topic_id, False, duplicate_of)

    pool_scores = state.pool.scores(vector, state.place_columns, config)
    if len(pool_scores) and pool_scores.max() >= config.link_threshold:
        k = int(np.argmax(pool_scores))
        other_id = state.pool_ids.pop(k)
        other_vector = state.pool.remove(k)
        other, other_title, other_tokens = _unpack(state.pool_opinions.pop(other_id))
        topic_id = f"t{state.next_id}"
        state.next_id += 1
        state.topic_ids.append(topic_id)
        state.data[topic_id] = new_data(other_title)
        state.sums.append(sp.csr_matrix(other_vector.shape, dtype=np.float32), 0, state.place_columns)
        _join(state, topic_id, other, state.persons.get(other_id, person_of(other, other_id)), other_vector,
              other_tokens, None)
        _join(state, topic_id, opinion, person, vector, tokens, category)
        return Assignment(topic_id, True, duplicate_of)

    state.pool_ids.append(opinion.id)
    state.pool.append(vector, 1, state.place_columns)
    state.pool_opinions[opinion.id] = _pack(opinion, tokens)
    state.keywords.add(REST, *tokens)
    return Assignment(None, False, duplicate_of)


def _pack(opinion: Opinion, tokens: tuple[tuple[str, ...], tuple[str, ...]]) -> tuple[Any, ...]:
    """Return what the pool keeps of an opinion: its heat fields, readable title and words, as one plain tuple."""
    return (opinion.id, opinion.user, opinion.time, opinion.likes, opinion.dislikes, opinion.channel,
            opinion.participants, readable_title(opinion.title, opinion.text), " ".join(tokens[0]), " ".join(tokens[1]))


def _unpack(packed: tuple[Any, ...]) -> tuple[Opinion, str, tuple[tuple[str, ...], tuple[str, ...]]]:
    opinion_id, user, when, likes, dislikes, channel, participants, title, in_title, in_body = packed
    opinion = Opinion(id=opinion_id, text="", user=user, time=when, likes=likes, dislikes=dislikes, channel=channel,
                      participants=participants)
    return opinion, title, (tuple(in_title.split()), tuple(in_body.split()))


def _join(state: TopicsState, topic_id: str, opinion: Opinion, person: str, vector: Any,
          tokens: tuple[tuple[str, ...], tuple[str, ...]], category: str | None) -> None:
    row = len(state.topic_ids) - 1 if state.topic_ids[-1] == topic_id else state.topic_ids.index(topic_id)
    state.sums.add_to(row, vector, state.place_columns)
    add_member(state.data[topic_id], opinion, person, category)
    state.keywords.add(topic_id, *tokens)  # a person writing again counts again here; the next mine() corrects it


def heat_of(state: TopicsState, topic_id: str) -> Heat:
    """Return the heat breakdown of one topic of ``state``."""
    return heat(state.data[topic_id].voices, now=state.now, config=state.config.heat)
