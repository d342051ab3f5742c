# Written for vdb's client tests (as makemigrations writes it): a foreign
# key column made NULL-able, a column and a table comment.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('shop', '0003_order_extra'),
    ]

    operations = [
        migrations.AlterField(
            model_name='order',
            name='customer',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='orders', to='shop.customer'),
        ),
        migrations.AddField(
            model_name='customer',
            name='vip',
            field=models.BooleanField(db_comment='VIP customer', default=False),
        ),
        migrations.AlterModelTableComment(
            name='customer',
            table_comment='Shop customers',
        ),
    ]
