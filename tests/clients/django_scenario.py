"""Django through vdb (the project in tests/clients/django): `migrate`
(contenttypes, auth and the shop app, whose second migration adds columns
and an index), `inspectdb` of the migrated tables, the ORM over them and
over the source's own table, the test runner (which creates, migrates and
drops its test database through vdb), and a migration backwards. Prints
'ok ...' lines or 'FAILED ...' with the reason; exit status 1 on failure.
CALL vdb.reset() at the end leaves the source's view for the next client."""
import io
import os
import subprocess
import sys
import traceback
from decimal import Decimal

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "django")
sys.path.insert(0, HERE)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vdbsite.settings")


def expect(cond, why):
    if not cond:
        raise AssertionError(why)


def manage(*args):
    """manage.py in its own process, as a developer runs it."""
    p = subprocess.run([sys.executable, "manage.py", *args], cwd=HERE,
                       capture_output=True, text=True, timeout=600)
    expect(p.returncode == 0, f"manage.py {' '.join(args)} exited {p.returncode}: "
           f"{(p.stdout + p.stderr)[-600:]}")
    return p.stdout + p.stderr


def main():
    out = manage("migrate", "--noinput")
    expect("Applying shop.0005_order_checks... OK" in out,
           f"migrate: {out[-300:]}")
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import DataError, IntegrityError, connection, transaction
    from django.db.models import Count, Sum
    from shop.models import Customer, Item, Order

    tables = set(connection.introspection.table_names())
    expect({"django_migrations", "auth_user", "shop_customer", "shop_order", "items"} <= tables,
           f"tables after migrate: {sorted(tables)}")
    with connection.cursor() as c:
        desc = connection.introspection.get_table_description(c, "shop_customer")
        constraints = connection.introspection.get_constraints(c, "shop_order")
    expect([d.name for d in desc] == ["id", "email", "name", "joined", "phone", "vip"],
           f"shop_customer columns: {[d.name for d in desc]}")
    expect(any(v["columns"] == ["customer_id", "placed"] and v["index"]
               for v in constraints.values()), f"shop_order indexes: {constraints}")
    expect(any(v["foreign_key"] == ("shop_customer", "id") for v in constraints.values()),
           f"shop_order foreign key: {constraints}")
    checks = {n: v for n, v in constraints.items() if v["check"]}
    expect("order_total_nonneg" in checks and any(v["columns"] == ["qty"] for v in checks.values()),
           f"shop_order CHECK constraints: {constraints}")
    print(f"ok django {django.get_version()} migrate (contenttypes, auth, shop: create, add "
          "field, add index, add a JSONField, a foreign key made optional, column and table "
          "comments, a CHECK constraint, a PositiveIntegerField renamed) and introspection "
          "of the new schema")

    buf = io.StringIO()
    call_command("inspectdb", "shop_customer", "shop_order", stdout=buf)
    models = buf.getvalue()
    # What inspectdb prints for the same migrations run directly on MariaDB:
    # the column metadata of tables vdb holds is the server's.
    for want in ["class ShopCustomer(models.Model):",
                 "    id = models.BigAutoField(primary_key=True)",
                 "    email = models.CharField(unique=True, max_length=254)",
                 "    name = models.CharField(max_length=100)",
                 "    joined = models.DateTimeField()",
                 "    phone = models.CharField(max_length=30, blank=True, null=True)",
                 "    vip = models.IntegerField(db_comment='VIP customer')",
                 "        db_table_comment = 'Shop customers'",
                 "class ShopOrder(models.Model):",
                 "    total = models.DecimalField(max_digits=10, decimal_places=2)",
                 "    status = models.CharField(max_length=20)",
                 "    note = models.TextField()",
                 "    customer = models.ForeignKey(ShopCustomer, models.DO_NOTHING, blank=True, null=True)",
                 "    placed = models.DateField(blank=True, null=True)",
                 "    extra = models.JSONField()",
                 "    qty = models.PositiveIntegerField()"]:
        expect(want + "\n" in models, f"inspectdb lacks {want!r}:\n{models}")
    print("ok django inspectdb of the migrated tables prints what it prints on MariaDB directly")

    ann = Customer.objects.create(email="ann@example.com", name="Ann")
    bob = Customer.objects.create(email="bob@example.com", name="Bob", phone="555")
    Order.objects.bulk_create([Order(customer=ann, total=Decimal("10.50")),
                               Order(customer=ann, total=Decimal("4.25"), status="paid",
                                     extra={"gift": True, "tags": ["red"]}),
                               Order(customer=bob, total=Decimal("1.00"))])
    gifts = list(Order.objects.filter(extra__gift=True).values_list("extra", flat=True))
    expect(gifts == [{"gift": True, "tags": ["red"]}], f"a JSONField lookup: {gifts}")
    rows = list(Customer.objects.annotate(n=Count("orders"), s=Sum("orders__total"))
                .order_by("name").values_list("name", "n", "s"))
    expect(rows == [("Ann", 2, Decimal("14.75")), ("Bob", 1, Decimal("1.00"))],
           f"aggregate over a join: {rows}")
    try:
        with transaction.atomic():
            Customer.objects.create(email="ann@example.com", name="Again")
        raise AssertionError("duplicate email accepted")
    except IntegrityError as e:
        expect(e.args[0] == 1062, f"expected 1062, got {e}")
    with transaction.atomic():
        Order.objects.filter(customer=bob).update(status="shipped")
        transaction.set_rollback(True)
    expect(not Order.objects.filter(status="shipped").exists(), "a rolled-back update stayed")
    # A negative total breaks the CHECK (4025); a negative qty is out of
    # range of its UNSIGNED column first (1264), as on MariaDB directly.
    for bad, error, code in [(dict(total=Decimal("-1")), IntegrityError, 4025),
                             (dict(total=Decimal("1"), qty=-1), DataError, 1264)]:
        try:
            with transaction.atomic():
                Order.objects.create(customer=bob, **bad)
            raise AssertionError(f"an order breaking a CHECK accepted: {bad}")
        except error as e:
            expect(e.args[0] == code, f"expected {code}, got {e}")
    bob.delete()
    expect(Order.objects.count() == 2, "cascade delete of bob's order")
    item = Item.objects.get(pk=1)
    item.price = Decimal("9.99")
    item.save()
    expect(Item.objects.get(pk=1).price == Decimal("9.99"), "update of the source's table")
    print("ok django ORM: create, a JSONField lookup, aggregate over a join, 1062 and 4025 (a "
          "CHECK) as IntegrityError, 1264 as DataError, "
          "atomic rollback, cascade delete, the source's table updated")

    out = manage("test", "shop", "--noinput")
    expect("Ran 5 tests" in out and "\nOK" in out, f"test runner: {out[-600:]}")
    with connection.cursor() as c:
        c.execute("SHOW DATABASES LIKE 'test_vdb_clients'")
        expect(c.fetchall() == (), "the test database was not dropped")
    print("ok django test runner: creates test_vdb_clients through vdb, migrates it, "
          "runs 5 tests in transactions, drops it")

    manage("migrate", "shop", "0001", "--noinput")
    with connection.cursor() as c:
        cols = [d.name for d in connection.introspection.get_table_description(c, "shop_customer")]
    expect(cols == ["id", "email", "name", "joined"], f"after migrating back: {cols}")
    with connection.cursor() as c:
        c.execute("CALL vdb.reset()")
    print("ok django migrate backwards (rename and remove fields, drop a CHECK constraint, "
          "remove an index), then CALL vdb.reset()")


try:
    main()
except Exception:
    print("FAILED django: " + traceback.format_exc().strip().splitlines()[-1])
    traceback.print_exc()
    sys.exit(1)
