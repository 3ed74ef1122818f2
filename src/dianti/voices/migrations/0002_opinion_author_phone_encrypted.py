# Opinion authors' phones encrypted at rest (issue 11). author_key already holds their keyed hash.

from django.db import migrations

import dianti.core.crypto
from dianti.core.crypto_migrations import encrypt_column

forward, backward = encrypt_column("voices.Opinion", "author_phone")


class Migration(migrations.Migration):

    dependencies = [
        ('voices', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='opinion',
            name='author_phone',
            field=dianti.core.crypto.EncryptedCharField(blank=True, max_length=11, verbose_name='手机号'),
        ),
        migrations.RunPython(forward, backward),
    ]
