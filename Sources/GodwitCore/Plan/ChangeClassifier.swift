/// What the classifier knows besides the operation: the engine, the live schema with its
/// statistics, and the tables the same migration creates (which are empty, however large their
/// names sound).
public struct ClassificationContext: Sendable {
    public var engine: Engine
    public var schema: Schema
    public var tablesCreatedInMigration: Set<QualifiedName>

    public init(engine: Engine, schema: Schema, tablesCreatedInMigration: Set<QualifiedName> = []) {
        self.engine = engine
        self.schema = schema
        self.tablesCreatedInMigration = tablesCreatedInMigration
    }

    /// The live table a migration's name means: exact, else the same name in `public` (PostgreSQL)
    /// or without a schema.
    public func liveTable(_ name: QualifiedName) -> Table? {
        if let table = schema.table(named: name) { return table }
        guard name.schema == nil else { return nil }
        return schema.table(named: QualifiedName(schema: "public", name.name))
            ?? schema.tables.first { $0.name.name == name.name }
    }

    /// The table's row count: 0 when the migration creates it, the exact count when taken, the
    /// estimate otherwise; `nil` when the table is unknown.
    public func rowCount(_ name: QualifiedName) -> Int64? {
        if tablesCreatedInMigration.contains(name) { return 0 }
        return liveTable(name)?.statistics?.rowCount
    }
}

/// Classifies each operation on each engine: additive, breaking or destructive; the lock it
/// takes and for how long; whether it runs in a transaction; whether zero downtime is possible
/// and how; and the risk, from the table's real size.
///
/// A plain function over values: no database, no I/O.
public struct ChangeClassifier: Sendable {
    /// Row counts at which a scan or a rewrite becomes a medium or a high risk.
    public struct Thresholds: Hashable, Sendable {
        public var scanMedium: Int64 = 100_000
        public var scanHigh: Int64 = 10_000_000
        public var rewriteMedium: Int64 = 10_000
        public var rewriteHigh: Int64 = 1_000_000
        /// Bytes at which a scan or rewrite is at least a medium or a high risk, whatever the row
        /// count (wide rows, TOAST, bloat).
        public var sizeMedium: Int64 = 1 << 30
        public var sizeHigh: Int64 = 10 << 30

        public init() {}
    }

    public var thresholds = Thresholds()

    public init() {}

    /// The verdict on one operation.
    public func classify(_ operation: Operation, in context: ClassificationContext) -> Classification {
        let rows = operation.table.flatMap(context.rowCount)
        let bytes = operation.table.flatMap { context.tablesCreatedInMigration.contains($0) ? 0 : context.liveTable($0)?.statistics?.sizeInBytes }
        if case .rawSQL(let raw) = operation {
            var verdict = RawSQLClassifier(context: context).classify(raw)
            verdict.risk = max(verdict.risk, risk(of: verdict, rows: verdict.rowsAffected))
            return verdict
        }
        var verdict = context.engine == .postgresql
            ? PostgresRules(context: context).classify(operation)
            : SQLiteRules(context: context).classify(operation)
        verdict.rowsAffected = verdict.duration == .instant ? nil : rows
        verdict.risk = max(verdict.risk, risk(of: verdict, rows: rows))
        if verdict.duration != .instant, let bytes, bytes >= thresholds.sizeMedium {
            verdict.risk = max(verdict.risk, bytes >= thresholds.sizeHigh ? .high : .medium)
            verdict.reasons.append("\(operation.table.map(\.description) ?? "The table") takes \(QuantityFormat.bytes(bytes)) on disk.")
        }
        if let table = operation.table, context.tablesCreatedInMigration.contains(table) {
            verdict.reasons.append("\(table) is created by this migration, so it is empty.")
        } else if let rows, verdict.duration != .instant {
            verdict.reasons.append("\(operation.table.map(\.description) ?? "The table") has about \(QuantityFormat.count(rows)) rows.")
        }
        return verdict
    }

    private func risk(of verdict: Classification, rows: Int64?) -> Risk {
        let sizeRisk: Risk
        switch verdict.duration {
        case .instant:
            sizeRisk = .low
        case .scan:
            guard let rows else { return .medium }
            sizeRisk = rows >= thresholds.scanHigh ? .high : (rows >= thresholds.scanMedium ? .medium : .low)
        case .rewrite:
            guard let rows else { return .medium }
            sizeRisk = rows >= thresholds.rewriteHigh ? .high : (rows >= thresholds.rewriteMedium ? .medium : .low)
        }
        guard verdict.kind == .destructive else { return sizeRisk }
        // Losing data is never low risk; losing rows of a populated table is high.
        return max(sizeRisk, (rows ?? 1) > 0 ? .high : .medium)
    }
}

/// Expressions whose value changes per row, so a default using one rewrites the table
/// (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES).
public enum VolatileExpression {
    public static let functions = ["random(", "randomblob(", "gen_random_uuid(", "uuid_generate_", "clock_timestamp(", "timeofday(", "nextval(", "txid_current("]

    /// Functions a default commonly calls that are not volatile: PostgreSQL 11+ stores such a
    /// default once instead of writing it into every row.
    static let notVolatile: Set<String> = [
        "now", "current_timestamp", "current_date", "localtimestamp", "statement_timestamp", "transaction_timestamp",
        "lower", "upper", "coalesce", "nullif", "greatest", "least", "concat", "length", "char_length", "octet_length",
        "abs", "round", "trim", "btrim", "ltrim", "rtrim", "replace", "substring", "left", "right", "lpad", "rpad", "md5",
        "encode", "decode", "to_char", "to_timestamp", "to_date", "date_trunc", "make_interval", "make_date", "timezone",
        "jsonb_build_object", "json_build_object", "jsonb_build_array", "json_build_array", "to_jsonb", "to_json",
        "array", "row", "cast", "datetime", "date", "strftime", "julianday", "unixepoch", "time",
        "substr", "instr", "ifnull", "iif", "printf", "format", "typeof", "hex", "quote", "unicode", "char", "split_part",
        "regexp_replace", "initcap", "position", "strpos", "reverse", "repeat", "extract", "date_part", "age", "floor",
        "ceil", "ceiling", "mod", "power", "sqrt", "sign", "to_number", "array_length", "cardinality", "jsonb_set",
        "json_extract", "jsonb_extract_path_text", "json_extract_path_text", "concat_ws",
        // Aggregates (a subquery's count is as stable as the rows it reads).
        "count", "sum", "avg", "min", "max", "bool_and", "bool_or", "every", "string_agg", "array_agg", "json_agg", "jsonb_agg",
        "group_concat", "total",
        // Type names whose modifiers look like calls (`CAST(x AS numeric(10,2))`).
        "numeric", "decimal", "varchar", "varying", "character", "timestamp", "interval", "bit", "varbit",
        // Keywords followed by a parenthesis.
        "in", "exists", "any", "all", "some", "values", "select", "when", "then", "else", "and", "or", "not", "is",
        "over", "filter", "within", "using", "on", "from", "where", "like", "between", "as", "by", "case", "end",
    ]

    /// Whether evaluating the expression for each row may give different values: it calls a
    /// known volatile function, or one Godwit does not know (PostgreSQL takes a function
    /// declared without a volatility as VOLATILE).
    public static func isVolatile(_ expression: String) -> Bool {
        let lowered = expression.lowercased()
        if functions.contains(where: { lowered.contains($0) }) { return true }
        // Casts (`'x'::character varying(20)`) name types, not functions.
        let uncast = lowered.replacing(/::\s*[a-z_][a-z0-9_ ]*(\([0-9, ]*\))?/, with: "")
        return uncast.matches(of: /([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)\s*\(/).contains { call in
            // A name cut out of a longer one is no call.
            let before = uncast[..<call.range.lowerBound]
            if let last = before.last, last.isLetter || last.isNumber || "_.\"".contains(last) { return false }
            let name = String(call.output.1).split(separator: ".").last.map(String.init) ?? ""
            return !notVolatile.contains(name)
        }
    }
}
