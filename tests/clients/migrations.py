"""Alembic migrations through vdb, then SQLAlchemy reflection of the
migrated schema and the application's queries over it; a downgrade back to
the start; CALL vdb.reset() leaves the source's view for the next client.
Prints 'ok ...' lines or 'FAILED ...' with the reason; exit status 1 on
failure."""
import os
import re
import sys
import tempfile
import textwrap
import traceback
from importlib.metadata import version

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

URL = "mysql+pymysql://{}:{}@127.0.0.1:{}/{}".format(
    os.environ["VDB_USER"], os.environ["VDB_PASS"], os.environ["VDB_PORT"], os.environ["VDB_DB"]
)

FIRST = '''
revision = "a1"; down_revision = None; branch_labels = None; depends_on = None
from alembic import op
import sqlalchemy as sa

def upgrade():
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("title", sa.String(50), nullable=False),
        sa.Column("body", sa.Text),
        sa.Column("created", sa.DateTime, server_default=sa.func.now()),
    )
    op.create_index("ix_notes_title", "notes", ["title"])

def downgrade():
    op.drop_index("ix_notes_title", table_name="notes")
    op.drop_table("notes")
'''

SECOND = '''
revision = "a2"; down_revision = "a1"; branch_labels = None; depends_on = None
from alembic import op
import sqlalchemy as sa

def upgrade():
    op.add_column("notes", sa.Column("stars", sa.Integer, nullable=False, server_default="0"))
    op.alter_column("notes", "title", existing_type=sa.String(50), type_=sa.String(120),
                    existing_nullable=False)
    op.add_column("items", sa.Column("sku", sa.String(20)))
    op.execute("UPDATE items SET sku = CONCAT('SKU-', id)")
    op.create_unique_constraint("uq_items_sku", "items", ["sku"])

def downgrade():
    op.drop_constraint("uq_items_sku", "items", type_="unique")
    op.drop_column("items", "sku")
    op.alter_column("notes", "title", existing_type=sa.String(120), type_=sa.String(50),
                    existing_nullable=False)
    op.drop_column("notes", "stars")
'''


DIRECT = "mysql+pymysql://{}:{}@{}:{}/vdb_clients_alembic_direct".format(
    os.environ["VDB_USER"], os.environ["VDB_PASS"], os.environ["VDB_SOURCE_HOST"],
    os.environ["VDB_SOURCE_PORT"]
)


def model():
    """The application's models after both migrations, as Alembic's
    autogenerate compares them with the database."""
    from sqlalchemy.dialects import mysql
    md = sa.MetaData()
    sa.Table("items", md,
             sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("name", sa.String(50), nullable=False),
             sa.Column("price", sa.Numeric(10, 2), nullable=False),
             sa.Column("created", mysql.DATETIME(fsp=3), nullable=False),
             sa.Column("note", sa.Text),
             sa.Column("sku", sa.String(20)),
             sa.UniqueConstraint("sku", name="uq_items_sku"))
    sa.Table("notes", md,
             sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("item_id", sa.Integer, nullable=False),
             sa.Column("title", sa.String(120), nullable=False),
             sa.Column("body", sa.Text),
             sa.Column("created", sa.DateTime, server_default=sa.func.now()),
             sa.Column("stars", sa.Integer, nullable=False, server_default="0"),
             sa.Index("ix_notes_title", "title"))
    return md


def differences(url):
    """What `alembic revision --autogenerate` would write for the model
    against the database at `url` (types and server defaults compared)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    with sa.create_engine(url).connect() as c:
        ctx = MigrationContext.configure(
            c, opts={"compare_type": True, "compare_server_default": True})
        diffs = compare_metadata(ctx, model())
    def shown(x):
        if isinstance(x, (list, tuple)):
            return "(" + ", ".join(shown(y) for y in x) + ")"
        if isinstance(x, sa.DefaultClause):
            arg = x.arg
            return "DEFAULT " + (arg.text if hasattr(arg, "text") else str(arg))
        return re.sub(r" at 0x[0-9a-f]+", "", repr(x))
    return sorted(shown(d) for d in diffs if "alembic_version" not in repr(d))


def expect(cond, why):
    if not cond:
        raise AssertionError(why)


def main():
    home = tempfile.mkdtemp()
    scripts = os.path.join(home, "migrations")
    cfg = Config(os.path.join(home, "alembic.ini"))
    cfg.set_main_option("script_location", scripts)
    cfg.set_main_option("sqlalchemy.url", URL)
    command.init(cfg, scripts, template="generic")
    for name, text in [("a1_notes.py", FIRST), ("a2_stars_and_sku.py", SECOND)]:
        with open(os.path.join(scripts, "versions", name), "w") as f:
            f.write(textwrap.dedent(text))
    command.upgrade(cfg, "head")
    engine = sa.create_engine(URL)
    insp = sa.inspect(engine)
    expect(sorted(insp.get_table_names()) == ["alembic_version", "items", "notes"],
           f"tables after upgrade: {insp.get_table_names()}")
    cols = [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns("notes")]
    expect(cols == [("id", "INTEGER", False), ("item_id", "INTEGER", False),
                    ("title", "VARCHAR(120)", False), ("body", "TEXT", True),
                    ("created", "DATETIME", True), ("stars", "INTEGER", False)],
           f"reflected notes columns: {cols}")
    expect([i["name"] for i in insp.get_indexes("notes")] == ["ix_notes_title"],
           f"indexes: {insp.get_indexes('notes')}")
    expect([u["name"] for u in insp.get_unique_constraints("items")] == ["uq_items_sku"],
           f"unique constraints: {insp.get_unique_constraints('items')}")
    with engine.begin() as c:
        expect(c.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "a2",
               "alembic_version")
        c.execute(sa.text("INSERT INTO notes (item_id, title, body) VALUES (1, 'ripe', 'soon')"))
        row = c.execute(sa.text(
            "SELECT i.sku, n.title, n.stars FROM notes n JOIN items i ON i.id = n.item_id")).one()
        expect(tuple(row) == ("SKU-1", "ripe", 0), f"application query: {row}")
        try:
            c.execute(sa.text("UPDATE items SET sku = 'SKU-1' WHERE id = 2"))
            raise AssertionError("the new unique key was not enforced")
        except sa.exc.IntegrityError as e:
            expect(e.orig.args[0] == 1062, f"expected 1062, got {e.orig}")
    print(f"ok alembic {version('alembic')}: upgrade (create_table, create_index, add_column, "
          "alter_column, create_unique_constraint), reflection and queries over the new schema")
    # The same migrations directly on the server, over a copy of items:
    # autogenerate must find through vdb exactly what it finds there.
    src = sa.create_engine(DIRECT.rsplit("/", 1)[0] + "/")
    with src.begin() as c:
        c.execute(sa.text("DROP DATABASE IF EXISTS vdb_clients_alembic_direct"))
        c.execute(sa.text("CREATE DATABASE vdb_clients_alembic_direct CHARACTER SET utf8mb4"))
        c.execute(sa.text("CREATE TABLE vdb_clients_alembic_direct.items LIKE vdb_clients.items"))
        c.execute(sa.text(
            "INSERT INTO vdb_clients_alembic_direct.items SELECT * FROM vdb_clients.items"))
    direct_cfg = Config(os.path.join(home, "alembic.ini"))
    direct_cfg.set_main_option("script_location", scripts)
    direct_cfg.set_main_option("sqlalchemy.url", DIRECT)
    command.upgrade(direct_cfg, "head")
    through, direct = differences(URL), differences(DIRECT)
    with src.begin() as c:
        c.execute(sa.text("DROP DATABASE vdb_clients_alembic_direct"))
    expect(through == direct,
           f"autogenerate through vdb found {through}, directly {direct}")
    print(f"ok alembic autogenerate compares the migrated schema through vdb as directly "
          f"({len(direct)} differences from the models on both)")
    command.downgrade(cfg, "base")
    insp = sa.inspect(sa.create_engine(URL))
    expect(sorted(insp.get_table_names()) == ["alembic_version", "items"],
           f"tables after downgrade: {insp.get_table_names()}")
    expect([c["name"] for c in insp.get_columns("items")] == ["id", "name", "price", "created", "note"],
           f"items after downgrade: {insp.get_columns('items')}")
    with engine.begin() as c:
        c.execute(sa.text("CALL vdb.reset()"))
    print("ok alembic downgrade to base, then CALL vdb.reset()")


try:
    main()
except Exception:
    print("FAILED alembic: " + traceback.format_exc().strip().splitlines()[-1])
    traceback.print_exc()
    sys.exit(1)
