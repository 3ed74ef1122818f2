"""The scale counties' opinions, by bulk inserts (``demo_bulk``, see :mod:`dianti.core.demo`).

Every subject of a scale campaign past 点名 draws opinions as Haiyan's do (≈1,500 a county: a dozen a subject;
one a subject for the province benchmark), from every channel, on the demo's topics, each with a tracking code.
No topics are mined and no +1s are counted: mining is its own benchmark (``dianti bench mine``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from django.db import transaction

from dianti.campaigns import bulk as campaigns_bulk
from dianti.campaigns.demo import TOPICS
from dianti.campaigns.models import Phase, Subject
from dianti.core import bulk
from dianti.core.demo import Scale

from .models import Channel, Opinion
from .services import CODE_ALPHABET

OPINIONS_PER_SUBJECT = 12
ASKS = ["希望{}", "建议抓紧解决：{}", "群众反映：{}", "{}，请书记重视"]


COLUMNS = ("organization_id", "org_path", "campaign_id", "channel", "text", "author_key", "tracking_code")


@transaction.atomic
def fill(scale: Scale) -> dict[str, Any]:
    """Give every subject past 点名 its opinions (COPY on PostgreSQL)."""
    rng = random.Random(scale.seed)
    per = 1 if scale.everyone else OPINIONS_PER_SUBJECT
    subjects = list(Subject.objects.filter(campaign__in=campaigns_bulk.of_scale(scale))
                    .exclude(campaign__phase=Phase.NOMINATE).values_list("organization_id", "org_path", "campaign_id"))
    taken = set(Opinion.objects.values_list("tracking_code", flat=True))

    def rows() -> Iterator[tuple[Any, ...]]:
        for org, path, campaign in subjects:
            for _ in range(per):
                code = "".join(rng.choices(CODE_ALPHABET, k=8))
                while code in taken:
                    code = "".join(rng.choices(CODE_ALPHABET, k=8))
                taken.add(code)
                channel = rng.choice(Channel.values)
                text = rng.choice(ASKS).format(rng.choice(TOPICS))
                yield org, path, campaign, channel, text, f"demo-{rng.getrandbits(64):016x}", code

    with bulk.deferred_indexes(Opinion, defer=scale.defer_indexes):
        made = bulk.insert_rows(Opinion, COLUMNS, rows(), others=bulk.defaults(Opinion, COLUMNS))
    return {"opinions": made}
