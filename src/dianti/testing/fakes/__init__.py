"""Local fakes of the messaging providers, each a small HTTP server on 127.0.0.1 in a thread of the test process.

Each checks what the provider's documentation says a request must be — its signature or access token, its
parameters and their shapes, the template and its parameters — and answers with the provider's own success and
error bodies; a test can queue the next answers (an error code, the provider down). Point an adapter at one by its
``url`` (the ``endpoint`` setting). They log nothing: a request line would carry a phone number.
"""

from .base import FakeProvider
from .im import FakeDingTalk, FakeWeChat, FakeWeCom
from .sms import FakeAliyunSms, FakeTencentSms

__all__ = ["FakeAliyunSms", "FakeDingTalk", "FakeProvider", "FakeTencentSms", "FakeWeChat", "FakeWeCom"]
