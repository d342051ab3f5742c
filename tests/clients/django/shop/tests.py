"""Run by Django's test runner through vdb: the runner creates the test
database (a database vdb holds), migrates it, runs each test in a
transaction it rolls back, and drops the database."""
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.test import TestCase

from shop.models import Customer, Order


class ShopTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ann = Customer.objects.create(email="ann@example.com", name="Ann")
        Order.objects.create(customer=cls.ann, total=Decimal("10.50"))
        Order.objects.create(customer=cls.ann, total=Decimal("4.25"), status="paid")

    def test_runs_in_the_test_database(self):
        with connection.cursor() as c:
            c.execute("SELECT DATABASE()")
            self.assertEqual(c.fetchone()[0], "test_vdb_clients")

    def test_aggregates_over_a_join(self):
        row = Customer.objects.annotate(n=Count("orders"), s=Sum("orders__total")).get(pk=self.ann.pk)
        self.assertEqual((row.n, row.s), (2, Decimal("14.75")))

    def test_unique_email_is_enforced(self):
        with self.assertRaises(IntegrityError):
            with transaction.atomic():
                Customer.objects.create(email="ann@example.com", name="Other Ann")
        self.assertEqual(Customer.objects.count(), 1)

    def test_cascade_delete(self):
        self.ann.delete()
        self.assertEqual(Order.objects.count(), 0)

    def test_each_test_starts_from_the_same_data(self):
        Order.objects.filter(status="new").update(status="shipped")
        self.assertEqual(Order.objects.filter(status="shipped").count(), 1)
