public import GodwitCore
import GodwitEngine

/// The row checksums' proof on either engine: two tables holding the same rows in another order
/// digest alike; a changed value, a value turned NULL, a deleted row or two values swapped
/// between rows each change the digest.
public enum DigestTampering {
    /// What failed, in words (empty when every case held).
    public static func check(_ url: DatabaseURL) async throws -> [String] {
        try await DatabaseConnector.withDriver(url, access: .create) { driver in
            try await driver.executeScript(unsafeSQL: """
                CREATE TABLE a (id integer PRIMARY KEY, name text, amount numeric(10,2), at date);
                CREATE TABLE b (id integer PRIMARY KEY, name text, amount numeric(10,2), at date);
                INSERT INTO a VALUES (1, 'x', 1.50, '2024-01-01'), (2, 'y', NULL, '2024-01-02'), (3, 'x,y', 0, NULL);
                INSERT INTO b VALUES (3, 'x,y', 0, NULL), (1, 'x', 1.50, '2024-01-01'), (2, 'y', NULL, '2024-01-02');
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
            ("a deleted row", "DELETE FROM b WHERE id = 2", "INSERT INTO b VALUES (2, 'y', NULL, '2024-01-02')"),
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
