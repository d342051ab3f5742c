// Java: MariaDB Connector/J through JDBC with server-side prepared
// statements (useServerPrepStmts=true). Prints 'ok ...' or 'FAILED ...'.
import java.sql.*;

public class Scenario {
    static void expect(boolean ok, String why) { if (!ok) throw new AssertionError(why); }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:mariadb://127.0.0.1:" + System.getenv("VDB_PORT") + "/" + System.getenv("VDB_DB")
            + "?useServerPrepStmts=true";
        try (Connection c = DriverManager.getConnection(url, System.getenv("VDB_USER"), System.getenv("VDB_PASS"))) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, price, created, note FROM items WHERE id >= ? ORDER BY id")) {
                ps.setInt(1, 1);
                ResultSet rs = ps.executeQuery();
                expect(rs.next() && rs.getInt(1) == 1 && rs.getString(2).equals("apple"), "row 1");
                expect(rs.getBigDecimal(3).toPlainString().equals("1.50"), "decimal scale");
                expect(rs.getTimestamp(4).toString().equals("2024-01-02 03:04:05.678"), "datetime(3): " + rs.getTimestamp(4));
                expect(rs.getString(5) == null && rs.wasNull(), "NULL");
                expect(rs.next() && rs.getString(2).equals("pear"), "row 2");
                expect(rs.next() && rs.getString(2).equals("Zoë 🐬"), "4-byte unicode");
                expect(!rs.next(), "three rows");
            }
            // Writes through server-side prepared statements land in vdb's
            // delta; a rolled-back delete is undone.
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO items (id, name, price, created, note) VALUES (?, ?, ?, ?, ?)")) {
                ins.setInt(1, 300);
                ins.setString(2, "kiwi \uD83E\uDD5D");
                ins.setBigDecimal(3, new java.math.BigDecimal("3.25"));
                ins.setTimestamp(4, Timestamp.valueOf("2024-05-06 07:08:09.123"));
                ins.setNull(5, Types.VARCHAR);
                expect(ins.executeUpdate() == 1, "insert count");
            }
            try (PreparedStatement up = c.prepareStatement("UPDATE items SET price = price + ? WHERE id = ?")) {
                up.setInt(1, 1);
                up.setInt(2, 300);
                expect(up.executeUpdate() == 1, "update count");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT name, price, created FROM items WHERE id = ?")) {
                ps.setInt(1, 300);
                ResultSet rs = ps.executeQuery();
                expect(rs.next() && rs.getString(1).equals("kiwi \uD83E\uDD5D"), "written name");
                expect(rs.getBigDecimal(2).toPlainString().equals("4.25"), "updated price " + rs.getBigDecimal(2));
                expect(rs.getTimestamp(3).toString().equals("2024-05-06 07:08:09.123"), "written datetime " + rs.getTimestamp(3));
            }
            c.setAutoCommit(false);
            try (PreparedStatement del = c.prepareStatement("DELETE FROM items WHERE id = ?")) {
                del.setInt(1, 300);
                expect(del.executeUpdate() == 1, "delete count");
            }
            c.rollback();
            c.setAutoCommit(true);
            try (PreparedStatement del = c.prepareStatement("DELETE FROM items WHERE id = ?")) {
                del.setInt(1, 300);
                expect(del.executeUpdate() == 1, "the rolled-back delete was undone");
            }
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM items");
                expect(rs.next() && rs.getInt(1) == 3, "count");
            }
            c.commit();
            c.setAutoCommit(true);
            String[][] errors = {{"SELECT * FROM no_such_table", "1146"}, {"XA RECOVER", "1235"}};
            for (String[] e : errors) {
                try (Statement st = c.createStatement()) {
                    st.execute(e[0]);
                    throw new AssertionError(e[0] + " should fail");
                } catch (SQLException ex) {
                    expect(ex.getErrorCode() == Integer.parseInt(e[1]), e[0] + ": " + ex.getErrorCode() + " " + ex.getMessage());
                }
            }
            DatabaseMetaData md = c.getMetaData();
            System.out.println("ok MariaDB Connector/J " + md.getDriverVersion() + " (server " + md.getDatabaseProductVersion() + ")");
        }
    }
}
