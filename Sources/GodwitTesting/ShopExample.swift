import Foundation
public import GodwitCore
public import GodwitEngine

/// A shop a team would bring: customers and orders, about 9% of the orders with no status, and
/// a desired schema that renames a column, makes status NOT NULL with a default, widens a type
/// and adds an index. Godwit's `diff` writes the migration; the tests apply it.
public enum ShopExample {
    public static let customers = 2_000
    public static let orders = 5_000
    /// Every 11th order has a NULL status: 454 of 5,000 (9.1%).
    public static let nullStatuses: Int64 = 454

    /// The shop as it runs today.
    public static func schema(_ engine: Engine) -> String {
        let postgres = engine == .postgresql
        let series = { (count: Int, select: String, table: String, columns: String) in
            postgres
                ? "INSERT INTO \(table) (\(columns)) SELECT \(select) FROM generate_series(1, \(count)) AS g(n);"
                : "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < \(count)) INSERT INTO \(table) (\(columns)) SELECT \(select) FROM g;"
        }
        let key = postgres ? "bigserial PRIMARY KEY" : "INTEGER PRIMARY KEY"
        return """
            CREATE TABLE customers (id \(key), name text NOT NULL, email text);
            CREATE TABLE orders (id \(key), customer_id bigint REFERENCES customers (id), status text, total integer NOT NULL);
            \(series(customers, "'customer ' || n, CASE WHEN n % 7 = 0 THEN NULL ELSE 'c' || n || '@shop.example' END", "customers", "name, email"))
            \(series(orders, "1 + n % \(customers), CASE WHEN n % 11 = 0 THEN NULL WHEN n % 2 = 0 THEN 'paid' ELSE 'shipped' END, n % 500", "orders", "customer_id, status, total"))
            """
    }

    /// The schema the team wants, with the rename annotated for `diff`; `withDefault: false`
    /// makes status NOT NULL with no default to fill the NULLs with.
    public static func desired(_ engine: Engine, withDefault: Bool = true) -> String {
        let key = engine == .postgresql ? "bigserial PRIMARY KEY" : "INTEGER PRIMARY KEY"
        return """
            -- godwit:rename customers.name=full_name
            CREATE TABLE customers (id \(key), full_name text NOT NULL, email text);
            CREATE TABLE orders (id \(key), customer_id bigint REFERENCES customers (id), status text NOT NULL\(withDefault ? " DEFAULT 'new'" : ""),
                                 total bigint NOT NULL);
            CREATE INDEX orders_status ON orders (status);
            """
    }

    /// The migration `godwit diff` writes from `url` to the desired schema.
    public static func diff(from url: DatabaseURL, withDefault: Bool = true) async throws -> DiffMigration.Result {
        let desiredSQL = desired(url.engine, withDefault: withDefault)
        let current = try await DatabaseConnector.withDriver(url, access: .readOnly) { try await $0.inspect(InspectionOptions()) }
        let desiredSchema = try await ScratchDatabase.with(like: url) { scratch in
            try await ScratchDatabase.load(desiredSQL, into: scratch)
            return try await scratch.inspect(InspectionOptions())
        }
        return try await DiffMigration.write(from: current, to: desiredSchema, source: "desired.sql",
                                             renames: try RenameHint.annotations(in: desiredSQL), name: "shop v2", on: url)
    }
}

extension ShopExample {
    /// What `diff` must write for the shop on `url` (which holds ``schema(_:)``): with a default,
    /// the fill of the 454 NULL statuses before NOT NULL, named in a comment, under the
    /// strictest downtime the engine holds; without one, a comment naming the count, and a plan
    /// whose lint names it too (GW130). Returns what failed, and the migration written.
    public static func checkDiff(on url: DatabaseURL) async throws -> (problems: [String], yaml: String) {
        var problems: [String] = []
        let orders = url.engine == .postgresql ? "public.orders" : "orders"
        let bare = try await diff(from: url, withDefault: false)
        if !bare.yaml.contains("# \(nullStatuses) rows of \(orders).status are NULL today and the desired schema gives no default") {
            problems.append("the diff without a default does not name the NULLs:\n\(bare.yaml)")
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try bare.yaml.write(toFile: directory.path("001_shop_v2.yaml"), atomically: true, encoding: .utf8)
        let planned = try await MigrationPlanning.planAll(directory: directory.url.path, database: url)
        let gw130 = planned.flatMap { Linter().lint($0.plan.migration, plan: $0.plan, against: $0.schemaBefore, dataCounts: $0.dataCounts) }
            .filter { $0.code == "GW130" }
        if !gw130.contains(where: { $0.message.hasPrefix("\(nullStatuses) rows of \(orders) fail") }) { problems.append("lint of the bare diff: \(gw130.map(\.message))") }

        let filled = try await diff(from: url)
        let expectedDowntime: Migration.Downtime = url.engine == .postgresql ? .zero : .minutes
        if filled.migration.downtime != expectedDowntime { problems.append("diff chose downtime \(filled.migration.downtime)") }
        if !filled.yaml.contains("# \(nullStatuses) rows of \(orders).status are NULL today: filled with the column's default before NOT NULL.\n  - update_rows:") {
            problems.append("the diff does not fill the NULLs first:\n\(filled.yaml)")
        }
        return (problems, filled.yaml)
    }
}
