# Written for vdb's client tests (as makemigrations writes it): a table
# CHECK constraint, a PositiveIntegerField (a column CHECK), then that
# field renamed (its CHECK follows it).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('shop', '0004_comments_and_optional_customer'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='order',
            constraint=models.CheckConstraint(condition=models.Q(total__gte=0), name='order_total_nonneg'),
        ),
        migrations.AddField(
            model_name='order',
            name='quantity',
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.RenameField(
            model_name='order',
            old_name='quantity',
            new_name='qty',
        ),
    ]
