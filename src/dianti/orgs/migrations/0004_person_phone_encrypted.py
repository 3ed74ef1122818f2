# Phones encrypted at rest (issue 11): the column becomes Fernet tokens, found again through two keyed hashes.
# The plaintext leaves the column and its index; run VACUUM (SQLite) or VACUUM FULL (PostgreSQL) afterwards so
# no old page keeps a copy.

from django.db import migrations

import dianti.core.crypto
from dianti.core import crypto
from dianti.core.crypto_migrations import encrypt_column

forward, backward = encrypt_column("orgs.Person", "phone",
                                   {"phone_hash": crypto.phone_hash, "phone_tail_hash": crypto.phone_tail_hash})


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0003_alter_rolegrant_role'),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='phone_hash',
            field=dianti.core.crypto.SearchHashField(kind='phone', source='phone'),
        ),
        migrations.AddField(
            model_name='person',
            name='phone_tail_hash',
            field=dianti.core.crypto.SearchHashField(kind='phone_tail', max_length=32, source='phone'),
        ),
        migrations.AlterField(
            model_name='person',
            name='phone',
            field=dianti.core.crypto.EncryptedCharField(blank=True, max_length=11, verbose_name='手机号'),
        ),
        migrations.RunPython(forward, backward),
    ]
