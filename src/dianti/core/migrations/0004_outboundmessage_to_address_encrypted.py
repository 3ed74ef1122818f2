# The outbound log's addresses (villagers' phones, e-mail addresses) encrypted at rest (issue 11).

from django.db import migrations

import dianti.core.crypto
from dianti.core.crypto_migrations import encrypt_column

forward, backward = encrypt_column("core.OutboundMessage", "to_address")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_audit_chain'),
    ]

    operations = [
        migrations.AlterField(
            model_name='outboundmessage',
            name='to_address',
            field=dianti.core.crypto.EncryptedCharField(blank=True, max_length=200),
        ),
        migrations.RunPython(forward, backward),
    ]
