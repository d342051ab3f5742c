"""Python clients through vdb: PyMySQL, mysql-connector-python (prepared
cursor), mysqlclient and SQLAlchemy (Core and ORM). Each prints 'ok <client>' or raises
with a specific reason; the exit status is non-zero when any failed."""
import decimal
import os
import sys
import traceback
from importlib.metadata import version

HOST, PORT = "127.0.0.1", int(os.environ["VDB_PORT"])
USER, PASSWORD, DB = os.environ["VDB_USER"], os.environ["VDB_PASS"], os.environ["VDB_DB"]
WANT = [
    (1, "apple", decimal.Decimal("1.50"), "2024-01-02 03:04:05.678000", None),
    (2, "pear", decimal.Decimal("2.25"), "2024-02-03 00:00:00", "ripe"),
    (3, "Zoë 🐬", decimal.Decimal("10.00"), "2024-03-04 05:06:07.890000", "emoji"),
]


def expect(cond, why):
    if not cond:
        raise AssertionError(why)


def check_rows(rows):
    got = [(r[0], r[1], r[2], str(r[3]), r[4]) for r in rows]
    expect(got == WANT, f"rows differ: {got!r}")


def dbapi(name, conn, paramstyle_marker, error_code):
    cur = conn.cursor()
    cur.execute("SELECT id, name, price, created, note FROM items ORDER BY id")
    check_rows(cur.fetchall())
    cur.execute(f"SELECT name FROM items WHERE id = {paramstyle_marker}", (2,))
    expect(cur.fetchone()[0] == "pear", "parameterised select")
    cur.execute("START TRANSACTION")
    cur.execute("SELECT COUNT(*) FROM items")
    expect(cur.fetchone()[0] == 3, "count in a transaction")
    conn.commit()
    for sql, code in [("SELECT * FROM no_such_table", 1146), ("XA RECOVER", 1235)]:
        try:
            cur.execute(sql)
            raise AssertionError(f"{sql} should fail")
        except AssertionError:
            raise
        except Exception as e:  # driver-specific error classes
            expect(error_code(e) == code, f"{sql}: expected {code}, got {e!r}")
    cur.execute("SELECT NULL, 1 + 1")
    expect(cur.fetchone() == (None, 2), "NULL and arithmetic")
    writes(cur, conn, paramstyle_marker, 100 + len(name))
    conn.close()
    print(f"ok {name}")


def writes(cur, conn, m, item_id):
    """Writes land in vdb's delta: insert, update, a rolled-back delete, a
    committed one; the view is as before for the next client."""
    cur.execute(
        f"INSERT INTO items (id, name, price, created, note) VALUES ({m}, {m}, {m}, {m}, {m})",
        (item_id, "kiwi 🥝 'q' \\", decimal.Decimal("3.25"), "2024-05-06 07:08:09.123", None),
    )
    expect(cur.rowcount == 1, f"insert rowcount {cur.rowcount}")
    conn.commit()
    cur.execute(f"UPDATE items SET price = price + {m} WHERE id = {m}", (1, item_id))
    conn.commit()
    cur.execute(f"SELECT name, price, created FROM items WHERE id = {m}", (item_id,))
    row = cur.fetchone()
    name = row[0].decode() if isinstance(row[0], (bytes, bytearray)) else row[0]
    got = (name, row[1], str(row[2]))
    expect(got == ("kiwi 🥝 'q' \\", decimal.Decimal("4.25"), "2024-05-06 07:08:09.123000"), f"written row {got!r}")
    cur.execute("START TRANSACTION")
    cur.execute(f"DELETE FROM items WHERE id = {m}", (item_id,))
    conn.rollback()
    cur.execute(f"SELECT COUNT(*) FROM items WHERE id = {m}", (item_id,))
    expect(cur.fetchone()[0] == 1, "a rolled-back delete is undone")
    cur.execute(f"DELETE FROM items WHERE id = {m}", (item_id,))
    conn.commit()
    cur.execute("SELECT COUNT(*) FROM items")
    expect(cur.fetchone()[0] == 3, "deleted again")


def pymysql_client():
    import pymysql
    conn = pymysql.connect(host=HOST, port=PORT, user=USER, password=PASSWORD, database=DB, charset="utf8mb4")
    dbapi("PyMySQL " + version("PyMySQL"), conn, "%s", lambda e: e.args[0])


def connector_client():
    import mysql.connector
    conn = mysql.connector.connect(host=HOST, port=PORT, user=USER, password=PASSWORD, database=DB, use_pure=True)
    # Server-side prepared statements (COM_STMT_PREPARE / EXECUTE).
    cur = conn.cursor(prepared=True)
    cur.execute("SELECT id, name, price, created, note FROM items WHERE id > ? ORDER BY id", (0,))
    rows = [tuple(v.decode() if isinstance(v, (bytes, bytearray)) else v for v in r) for r in cur.fetchall()]
    check_rows(rows)
    writes(cur, conn, "?", 99)
    cur.close()
    dbapi("mysql-connector-python " + version("mysql-connector-python"), conn, "%s", lambda e: e.errno)


def mysqlclient_client():
    import MySQLdb
    conn = MySQLdb.connect(host=HOST, port=PORT, user=USER, password=PASSWORD, database=DB, charset="utf8mb4")
    dbapi("mysqlclient " + version("mysqlclient"), conn, "%s", lambda e: e.args[0])


def sqlalchemy_client():
    import sqlalchemy as sa
    engine = sa.create_engine(f"mysql+pymysql://{USER}:{PASSWORD}@{HOST}:{PORT}/{DB}?charset=utf8mb4")
    meta = sa.MetaData()
    items = sa.Table("items", meta, autoload_with=engine)  # reflection reads SHOW CREATE TABLE
    expect([c.name for c in items.columns] == ["id", "name", "price", "created", "note"], "reflected columns")
    with engine.connect() as c:
        rows = c.execute(sa.select(items).order_by(items.c.id)).all()
        check_rows(rows)
        n = c.execute(sa.select(sa.func.count()).select_from(items).where(items.c.price > 2)).scalar()
        expect(n == 2, f"count {n}")
        try:
            c.execute(sa.insert(items).values(id=9, name="x"))
            raise AssertionError("insert should fail")
        except sa.exc.DBAPIError as e:  # PyMySQL maps 1235 to NotSupportedError
            # Captured, and vdb enforces what the server would: price has no default.
            expect(e.orig.args[0] == 1364, f"insert error {e.orig!r}")
    print(f"ok SQLAlchemy {version('SQLAlchemy')}")


def sqlalchemy_orm_client():
    """The ORM: mapped classes over the source's table and a table it
    creates (create_all), a relationship, a session's unit of work,
    rollback, and drop_all; CALL vdb.reset() leaves the source's view."""
    import sqlalchemy as sa
    from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "items"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(50))
        price: Mapped[float] = mapped_column(sa.Numeric(10, 2))
        created: Mapped[sa.DateTime] = mapped_column(sa.DateTime)
        note: Mapped[str | None] = mapped_column(sa.Text)
        reviews: Mapped[list["Review"]] = relationship(back_populates="item")

    class Review(Base):
        __tablename__ = "orm_reviews"
        id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
        item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"))
        stars: Mapped[int]
        item: Mapped[Item] = relationship(back_populates="reviews")

    engine = sa.create_engine(f"mysql+pymysql://{USER}:{PASSWORD}@{HOST}:{PORT}/{DB}?charset=utf8mb4")
    Review.__table__.create(engine)
    with Session(engine) as s:
        pear = s.get(Item, 2)
        expect(pear.name == "pear", f"get: {pear.name}")
        pear.reviews.append(Review(stars=4))
        pear.reviews.append(Review(stars=2))
        pear.price = 3
        s.commit()
        ids = [r.id for r in pear.reviews]
        expect(ids == [1, 2], f"autoincrement ids: {ids}")
    with Session(engine) as s:
        rows = s.execute(sa.select(Item.name, sa.func.avg(Review.stars)).join(Item.reviews)
                         .group_by(Item.name)).all()
        expect([(n, float(a)) for n, a in rows] == [("pear", 3.0)], f"join: {rows}")
        expect(s.get(Item, 2).price == 3, "the committed update")
        s.add(Review(item_id=99, stars=1))
        try:
            s.commit()
            raise AssertionError("a review of a missing item was accepted")
        except sa.exc.IntegrityError as e:
            expect(e.orig.args[0] == 1452, f"expected 1452, got {e.orig}")
            s.rollback()
        s.get(Item, 1).name = "changed"
        s.rollback()
        expect(s.get(Item, 1).name == "apple", "a rolled-back change")
    Review.__table__.drop(engine)
    with engine.begin() as c:
        c.execute(sa.text("CALL vdb.reset()"))
    print(f"ok SQLAlchemy {version('SQLAlchemy')} ORM: mapped classes, create_all of a new "
          "table with a foreign key, relationships, unit of work, 1452, rollback")


failed = 0
for client in [pymysql_client, connector_client, mysqlclient_client, sqlalchemy_client,
               sqlalchemy_orm_client]:
    try:
        client()
    except Exception:
        failed += 1
        print(f"FAILED {client.__name__}: {traceback.format_exc(limit=3).strip().splitlines()[-1]}")
sys.exit(1 if failed else 0)
