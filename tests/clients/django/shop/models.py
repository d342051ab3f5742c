from django.db import models


class Customer(models.Model):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=100)
    joined = models.DateTimeField(auto_now_add=True)
    phone = models.CharField(max_length=30, null=True, blank=True)
    vip = models.BooleanField(default=False, db_comment="VIP customer")

    class Meta:
        db_table_comment = "Shop customers"

    def __str__(self):
        return self.name


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders", null=True)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=20, default="new", db_index=True)
    note = models.TextField(blank=True, default="")
    placed = models.DateField(null=True)
    extra = models.JSONField(default=dict)
    qty = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["customer", "placed"], name="order_customer_placed")]
        constraints = [models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_nonneg")]


class Item(models.Model):
    """The fixture's table at the source, read and written through vdb."""

    name = models.CharField(max_length=50)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    created = models.DateTimeField()
    note = models.TextField(null=True)

    class Meta:
        managed = False
        db_table = "items"
