// Knex migrations through vdb: createTable, alterTable (add, rename, drop
// columns, an index), the application's queries over the new schema, a
// rollback to the start, then CALL vdb.reset() for the next client.
// Prints 'ok ...' lines or 'FAILED ...' with the reason; exit status 1 on failure.
const knexFactory = require('knex');

const connection = {
  host: '127.0.0.1',
  port: Number(process.env.VDB_PORT),
  user: process.env.VDB_USER,
  password: process.env.VDB_PASS,
  database: process.env.VDB_DB,
};

const migrations = {
  async getMigrations() { return ['001_tags', '002_reshape']; },
  getMigrationName(m) { return m; },
  getMigration(m) {
    if (m === '001_tags') {
      return {
        up: (k) => k.schema.createTable('tags', (t) => {
          t.increments('id');
          t.integer('item_id').notNullable();
          t.string('label', 30).notNullable().defaultTo('new');
          t.timestamps(true, true);
          t.index(['item_id'], 'ix_tags_item');
        }),
        down: (k) => k.schema.dropTable('tags'),
      };
    }
    return {
      up: async (k) => {
        await k.schema.alterTable('tags', (t) => { t.integer('weight').notNullable().defaultTo(1); });
        await k.schema.alterTable('tags', (t) => { t.renameColumn('label', 'name'); });
        await k.schema.alterTable('items', (t) => { t.string('color', 10); t.unique(['color'], { indexName: 'uq_color' }); });
      },
      down: async (k) => {
        await k.schema.alterTable('items', (t) => { t.dropUnique(['color'], 'uq_color'); t.dropColumn('color'); });
        await k.schema.alterTable('tags', (t) => { t.renameColumn('name', 'label'); });
        await k.schema.alterTable('tags', (t) => { t.dropColumn('weight'); });
      },
    };
  },
};

function expect(cond, why) { if (!cond) throw new Error(why); }

(async () => {
  const knex = knexFactory({ client: 'mysql2', connection, migrations: { migrationSource: migrations } });
  try {
    await knex.migrate.latest();
    const [done] = await knex.migrate.list();
    expect(done.length === 2, `completed migrations: ${JSON.stringify(done)}`);
    const cols = Object.keys(await knex('tags').columnInfo());
    expect(JSON.stringify(cols) === '["id","item_id","name","created_at","updated_at","weight"]', `tags columns: ${cols}`);
    const [id] = await knex('tags').insert({ item_id: 2, name: 'fresh' });
    expect(id === 1, `insert id ${id}`);
    await knex('items').where({ id: 2 }).update({ color: 'green' });
    const row = await knex('tags').join('items', 'items.id', 'tags.item_id')
      .first('tags.name', 'tags.weight', 'items.color');
    expect(row.name === 'fresh' && row.weight === 1 && row.color === 'green', `joined row ${JSON.stringify(row)}`);
    let dup = null;
    try { await knex('items').where({ id: 3 }).update({ color: 'green' }); } catch (e) { dup = e.errno; }
    expect(dup === 1062, `the new unique key: ${dup}`);
    console.log(`ok knex ${require('knex/package.json').version}: migrations (createTable, alterTable add/rename, unique), queries over the new schema`);
    await knex.migrate.rollback(undefined, true);
    expect(!(await knex.schema.hasTable('tags')), 'tags after rollback');
    expect(!(await knex.schema.hasColumn('items', 'color')), 'items.color after rollback');
    await knex.raw('CALL vdb.reset()');
    console.log('ok knex rollback to the start, then CALL vdb.reset()');
  } catch (e) {
    console.log(`FAILED knex: ${e.message}`);
    process.exitCode = 1;
  } finally {
    await knex.destroy();
  }
})();
