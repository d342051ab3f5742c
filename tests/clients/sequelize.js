// Sequelize through vdb: models with an association created by sync(),
// eager loading (a JOIN), a managed transaction, updates and a cascading
// delete, an altering sync(), then CALL vdb.reset() for the next client.
// Prints 'ok ...' lines or 'FAILED ...' with the reason; exit status 1 on failure.
const { Sequelize, DataTypes } = require('sequelize');

function expect(cond, why) { if (!cond) throw new Error(why); }

(async () => {
  const db = new Sequelize(process.env.VDB_DB, process.env.VDB_USER, process.env.VDB_PASS, {
    host: '127.0.0.1', port: Number(process.env.VDB_PORT), dialect: 'mysql', logging: false,
  });
  try {
    const Author = db.define('author', { name: { type: DataTypes.STRING(40), allowNull: false, unique: true } });
    const Post = db.define('post', {
      title: { type: DataTypes.STRING(80), allowNull: false },
      stars: { type: DataTypes.INTEGER, defaultValue: 0 },
    });
    Author.hasMany(Post, { onDelete: 'CASCADE' });
    Post.belongsTo(Author);
    await db.sync({ force: true });
    const ada = await Author.create({ name: 'Ada' });
    await db.transaction(async (t) => {
      await Post.create({ title: 'Notes', authorId: ada.id }, { transaction: t });
      await Post.create({ title: 'Engines', authorId: ada.id, stars: 3 }, { transaction: t });
    });
    const found = await Author.findOne({ where: { name: 'Ada' }, include: Post, order: [[Post, 'title', 'ASC']] });
    expect(found.posts.map((p) => p.title).join() === 'Engines,Notes', `eager load: ${JSON.stringify(found)}`);
    const [n] = await Post.update({ stars: 5 }, { where: { title: 'Notes' } });
    expect(n === 1, `updated ${n}`);
    let dup = null;
    try { await Author.create({ name: 'Ada' }); } catch (e) { dup = e.name; }
    expect(dup === 'SequelizeUniqueConstraintError', `duplicate author: ${dup}`);
    let orphan = null;
    try { await Post.create({ title: 'x', authorId: 999 }); } catch (e) { orphan = e.name; }
    expect(orphan === 'SequelizeForeignKeyConstraintError', `orphan post: ${orphan}`);
    await ada.destroy();
    expect((await Post.count()) === 0, 'posts cascade with their author');
    Post.rawAttributes.summary = { type: DataTypes.STRING(100) };
    Post.refreshAttributes();
    await Post.sync({ alter: true });
    const cols = Object.keys(await db.getQueryInterface().describeTable('posts'));
    expect(cols.includes('summary'), `columns after sync({ alter }): ${cols}`);
    console.log(`ok sequelize ${require('sequelize/package.json').version}: sync() with an association, eager loading, a transaction, constraint errors, cascade, sync({ alter })`);
    await db.query('CALL vdb.reset()');
  } catch (e) {
    console.log(`FAILED sequelize: ${e.message}${e.sql ? ` [${e.sql}]` : ''}`);
    process.exitCode = 1;
  } finally {
    await db.close();
  }
})();
