public import GodwitCore
import GodwitEngine

/// The row checksums' proof on either engine: two tables holding the same rows in another order
/// digest alike; a changed value, a value turned NULL, a NULL number turned zero, a deleted row or two values swapped
/// between rows each change the digest.
public enum DigestTampering {
    /// What failed, in words (empty when every case held).
    public static func check(_ url: DatabaseURL) async throws -> [String] {
        try await DatabaseConnector.withDriver(url, access: .create) { driver in
            try await driver.executeScript(unsafeSQL: """
                CREATE TABLE a (id integer PRIMARY KEY, name text, amount numeric(10,2), at date, ratio double precision);
                CREATE TABLE b (id integer PRIMARY KEY, name text, amount numeric(10,2), at date, ratio double precision);
                INSERT INTO a VALUES (1, 'x', 1.50, '2024-01-01', NULL), (2, 'y', NULL, '2024-01-02', 0.5), (3, 'x,y', 0, NULL, 0);
                INSERT INTO b VALUES (3, 'x,y', 0, NULL, 0), (1, 'x', 1.50, '2024-01-01', NULL), (2, 'y', NULL, '2024-01-02', 0.5);
                """)
        }
        func digest(_ table: String) async throws -> String {
            try await DatabaseDigests.all(url).first { $0.table.name == table }?.checksum ?? "missing"
        }
        var problems: [String] = []
        let original = try await digest("a")
        if try await digest("b") != original { problems.append("the same rows in another order digest differently") }
        for (what, change, undo) in [
            ("a changed value", "UPDATE b SET name = 'z' WHERE id = 1", "UPDATE b SET name = 'x' WHERE id = 1"),
            ("a value turned NULL", "UPDATE b SET at = NULL WHERE id = 1", "UPDATE b SET at = '2024-01-01' WHERE id = 1"),
            // PostgreSQL hashes a zero number to the hash's seed, as it hashes a NULL.
            ("a NULL number turned zero", "UPDATE b SET amount = 0 WHERE id = 2", "UPDATE b SET amount = NULL WHERE id = 2"),
            ("a NULL float turned zero", "UPDATE b SET ratio = 0 WHERE id = 1", "UPDATE b SET ratio = NULL WHERE id = 1"),
            ("a deleted row", "DELETE FROM b WHERE id = 2", "INSERT INTO b VALUES (2, 'y', NULL, '2024-01-02', 0.5)"),
            ("two values swapped between rows", "UPDATE b SET name = CASE id WHEN 1 THEN 'y' WHEN 2 THEN 'x' END WHERE id IN (1, 2)",
             "UPDATE b SET name = CASE id WHEN 1 THEN 'x' WHEN 2 THEN 'y' END WHERE id IN (1, 2)"),
        ] {
            try await DatabaseConnector.withDriver(url) { _ = try await $0.execute(unsafeSQL: change) }
            if try await digest("b") == original { problems.append("\(what) left the digest equal") }
            try await DatabaseConnector.withDriver(url) { _ = try await $0.execute(unsafeSQL: undo) }
            if try await digest("b") != original { problems.append("undoing \(what) did not bring the digest back") }
        }
        return problems
    }
}
