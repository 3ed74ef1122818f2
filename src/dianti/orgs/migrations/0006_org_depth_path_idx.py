from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("orgs", "0005_org_name_grams")]

    operations = [
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["depth", "path"], name="org_depth_path_idx"),
        ),
    ]
