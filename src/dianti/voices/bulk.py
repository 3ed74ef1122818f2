"""The scale counties' opinions, by bulk inserts (``demo_bulk``, see :mod:`dianti.core.demo`).

Every subject of a scale campaign past 点名 draws opinions as Haiyan's do (≈1,500 a county: a dozen a subject;
one a subject for the province benchmark), from every channel, on the demo's topics, each with a tracking code.
No topics are mined and no +1s are counted: mining is its own benchmark (``dianti bench mine``).
"""

from __future__ import annotations

import random
from typing import Any

from dianti.campaigns import bulk as campaigns_bulk
from dianti.campaigns.demo import TOPICS
from dianti.campaigns.models import Phase, Subject
from dianti.core.demo import Scale

from .models import Channel, Opinion
from .services import CODE_ALPHABET

OPINIONS_PER_SUBJECT = 12
ASKS = ["希望{}", "建议抓紧解决：{}", "群众反映：{}", "{}，请书记重视"]


def fill(scale: Scale) -> dict[str, Any]:
    """Give every subject past 点名 its opinions."""
    rng = random.Random(scale.seed)
    per = 1 if scale.everyone else OPINIONS_PER_SUBJECT
    subjects = (Subject.objects.filter(campaign__in=campaigns_bulk.of_scale(scale))
                .exclude(campaign__phase=Phase.NOMINATE).values_list("organization_id", "org_path", "campaign_id"))
    taken = set(Opinion.objects.values_list("tracking_code", flat=True))
    rows: list[Opinion] = []
    made = 0
    for org, path, campaign in subjects.iterator(chunk_size=5000):
        for _ in range(per):
            code = "".join(rng.choices(CODE_ALPHABET, k=8))
            while code in taken:
                code = "".join(rng.choices(CODE_ALPHABET, k=8))
            taken.add(code)
            rows.append(Opinion(organization_id=org, org_path=path, campaign_id=campaign,
                                channel=rng.choice(Channel.values), text=rng.choice(ASKS).format(rng.choice(TOPICS)),
                                author_key=f"demo-{rng.getrandbits(64):016x}", tracking_code=code))
        if len(rows) >= 20_000:
            made += len(Opinion.objects.bulk_create(rows, batch_size=5000))
            rows = []
    made += len(Opinion.objects.bulk_create(rows, batch_size=5000))
    return {"opinions": made}
