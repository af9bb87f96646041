public import Foundation
import Yams

/// What `godwit copy --with FILE` says about a copy: how target names are made, how values are
/// converted, which rows go, what happens to rows the target rejects. Without a file, every
/// table and column keeps its name and the documented type mapping applies.
///
/// ```yaml
/// names: snake_case            # as_is (default), snake_case or lower_case
/// zone: UTC                    # zone-less times are read in it (default UTC)
/// parallel: 2                  # tables, or ranges of one big table, copied at once
/// chunk_rows: 50000            # rows per committed chunk, the unit of resumption
/// rejects: {action: continue, file: rejects.jsonl}   # action: stop (default) or continue
/// types:                      # created in a PostgreSQL target when missing (SQLite keeps none)
///   mood: {enum: [sad, ok, happy]}
///   year: {domain: integer, check: "VALUE >= 1901 AND VALUE <= 2155"}
/// tables:
///   Invoice:
///     to: invoices
///     where: "Total > 0"       # source SQL
///     columns:
///       InvoiceDate: {to: invoiced_at, type: timestamptz, zone: Europe/Paris}
///       LegacyCode: {skip: true}
///     add:
///       total_cents: {type: bigint, sql: "CAST(round(Total * 100) AS INTEGER)"}
///     watermark: UpdatedAt     # sync without change capture: rows past the last value seen
///     uuid_key: true           # the integer key becomes a UUID; references follow; map in invoices_id_map
///   AuditLog: {skip: true}
/// ```
public struct CopySpec: Hashable, Sendable {
    public enum RejectAction: String, CaseIterable, Hashable, Sendable {
        case stop, `continue`
    }

    public struct ColumnRule: Hashable, Sendable {
        public var to: String?
        /// The target type, replacing the mapping's.
        public var type: String?
        public var zone: TimeZone?
        public var epoch: TemporalValue.EpochUnit?
        public var skip = false

        public init(to: String? = nil, type: String? = nil, zone: TimeZone? = nil, epoch: TemporalValue.EpochUnit? = nil, skip: Bool = false) {
            self.to = to
            self.type = type
            self.zone = zone
            self.epoch = epoch
            self.skip = skip
        }
    }

    /// A column the target gets that the source does not have, computed from each row by a
    /// source SQL expression.
    public struct ComputedColumn: Hashable, Sendable {
        public var name: String
        public var type: String
        public var expression: String

        public init(name: String, type: String, expression: String) {
            self.name = name
            self.type = type
            self.expression = expression
        }
    }

    public struct TableRule: Hashable, Sendable {
        public var to: String?
        /// A source SQL condition: only rows meeting it are copied.
        public var condition: String?
        public var skip = false
        /// By source column name.
        public var columns: [String: ColumnRule] = [:]
        public var computed: [ComputedColumn] = []
        /// A source column that grows with every insert and update (`updated_at`): without
        /// change capture, `godwit sync` carries over the rows past the last value it saw
        /// (deletes are not seen that way).
        public var watermark: String?
        /// The integer primary key becomes a UUID (``KeyUUID``), with the old → new map in
        /// `<table>_id_map`; every foreign key that referenced it is rewritten the same way.
        public var uuidKey = false

        public init(to: String? = nil, condition: String? = nil, skip: Bool = false, columns: [String: ColumnRule] = [:],
                    computed: [ComputedColumn] = []) {
            self.to = to
            self.condition = condition
            self.skip = skip
            self.columns = columns
            self.computed = computed
        }
    }

    public var names: NameRule = .asIs
    public var zone = TimeZone(identifier: "UTC")!
    public var parallel = 2
    public var chunkRows = 50_000
    public var rejectAction: RejectAction = .stop
    /// Where rejected rows are described, one JSON object per line; nil: `godwit-rejects.jsonl`.
    public var rejectFile: String?
    /// By source table name.
    public var tables: [String: TableRule] = [:]
    /// Enums and domains the target's columns are declared with (`type:`) that the source cannot
    /// describe — a SQLite source keeps only their values.
    public var types: [UserDefinedType] = []

    public init() {}

    /// The rule for a source table (exact name, or the same name in another case).
    public func rule(for table: String) -> TableRule? {
        tables[table] ?? tables.first { $0.key.lowercased() == table.lowercased() }?.value
    }
}

/// Reads a copy file (`godwit copy --with FILE`).
public struct CopySpecParser: Sendable {
    public init() {}

    public func parse(_ text: String, file: String) throws -> CopySpec {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { return CopySpec() }
            root = node
        } catch let error as YamlError {
            let translated = MigrationFileParser.translate(error, file: file)
            throw GodwitError(.invalidMigration, "Invalid copy file", location: translated.location, reason: translated.reason, remedy: translated.remedy)
        }
        let document = try YAMLReader(node: root, field: "", file: file, title: "Invalid copy file").mapping(
            "a mapping of copy settings (names, zone, tables, …)", allowed: ["names", "zone", "parallel", "chunk_rows", "rejects", "types", "tables"])
        var spec = CopySpec()
        if let names = document.optional("names") { spec.names = try names.choice(NameRule.self) }
        if let zone = document.optional("zone") { spec.zone = try Self.zone(zone) }
        if let parallel = document.optional("parallel") { spec.parallel = Int(try parallel.int("a number of workers from 1 to 64", range: 1...64)) }
        if let chunk = document.optional("chunk_rows") { spec.chunkRows = Int(try chunk.int("rows per chunk, from 100 to 10000000", range: 100...10_000_000)) }
        if let rejects = document.optional("rejects") {
            let fields = try rejects.mapping("{action: stop|continue, file: PATH}", allowed: ["action", "file"])
            if let action = fields.optional("action") { spec.rejectAction = try action.choice(CopySpec.RejectAction.self) }
            spec.rejectFile = try fields.optional("file")?.nonEmptyString("a file path")
        }
        if let types = document.optional("types") {
            guard case .mapping(let mapping) = types.node else { throw types.error("a mapping from type names to {enum: [labels]} or {domain: base type, check: …}") }
            let entries = try types.mapping("", allowed: mapping.keys.compactMap { $0.string })
            for name in entries.keys.sorted() {
                spec.types.append(try Self.type(named: name, try entries.required(name, "an enum or a domain")))
            }
        }
        if let tables = document.optional("tables") {
            guard case .mapping(let mapping) = tables.node else { throw tables.error("a mapping from source table names to their rules") }
            for (key, _) in mapping {
                guard case .scalar(let name) = key else { continue }
                spec.tables[name.string] = try Self.table(try tables.mapping("", allowed: mapping.keys.compactMap { $0.string }).required(name.string, "a table rule"))
            }
        }
        return spec
    }

    private static func table(_ reader: YAMLReader) throws -> CopySpec.TableRule {
        let fields = try reader.mapping("a table rule: to, where, skip, columns, add, watermark, uuid_key",
                                        allowed: ["to", "where", "skip", "columns", "add", "watermark", "uuid_key"])
        var rule = CopySpec.TableRule()
        rule.uuidKey = try fields.optional("uuid_key")?.bool() ?? false
        rule.watermark = try fields.optional("watermark")?.nonEmptyString("the source column that grows with every insert and update, such as updated_at")
        rule.to = try fields.optional("to")?.nonEmptyString("the target table's name")
        rule.condition = try fields.optional("where")?.nonEmptyString("a source SQL condition")
        rule.skip = try fields.optional("skip")?.bool() ?? false
        if let columns = fields.optional("columns") {
            guard case .mapping(let mapping) = columns.node else { throw columns.error("a mapping from source column names to their rules") }
            let entries = try columns.mapping("", allowed: mapping.keys.compactMap { $0.string })
            for name in entries.keys {
                let column = try entries.required(name, "a column rule").mapping("a column rule: to, type, zone, epoch, skip",
                                                                                 allowed: ["to", "type", "zone", "epoch", "skip"])
                rule.columns[name] = CopySpec.ColumnRule(
                    to: try column.optional("to")?.nonEmptyString("the target column's name"),
                    type: try column.optional("type")?.nonEmptyString("the target type, such as timestamptz"),
                    zone: try column.optional("zone").map(Self.zone),
                    epoch: try column.optional("epoch")?.choice(TemporalValue.EpochUnit.self),
                    skip: try column.optional("skip")?.bool() ?? false)
            }
        }
        if let added = fields.optional("add") {
            guard case .mapping(let mapping) = added.node else { throw added.error("a mapping from new column names to {type, sql}") }
            let entries = try added.mapping("", allowed: mapping.keys.compactMap { $0.string })
            for name in entries.keys {
                let column = try entries.required(name, "{type, sql}").mapping("a computed column: type, sql", allowed: ["type", "sql"])
                rule.computed.append(.init(name: name,
                                           type: try column.required("type", "the column's type").nonEmptyString("the column's type"),
                                           expression: try column.required("sql", "a source SQL expression").nonEmptyString("a source SQL expression")))
            }
        }
        return rule
    }

    /// `{enum: [labels]}` or `{domain: base type, check: expression, not_null: bool, default: expression}`.
    private static func type(named name: String, _ reader: YAMLReader) throws -> UserDefinedType {
        let fields = try reader.mapping("{enum: [labels]} or {domain: base type, check, not_null, default}",
                                        allowed: ["enum", "domain", "check", "not_null", "default"])
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        let qualified = parts.count == 2 ? QualifiedName(schema: parts[0], parts[1]) : QualifiedName(schema: nil, name)
        switch (fields.optional("enum"), fields.optional("domain")) {
        case (let labels?, nil):
            guard fields.optional("check") == nil, fields.optional("not_null") == nil, fields.optional("default") == nil else {
                throw reader.error(reason: "an enum takes only its labels", remedy: "Write {enum: [label, …]}, or make it a domain.")
            }
            let values = try labels.stringList("the enum's labels, in order")
            guard !values.isEmpty else { throw labels.error("at least one label") }
            return .enumeration(EnumType(name: qualified, labels: values))
        case (nil, let base?):
            return .domain(Domain(name: qualified, baseType: try base.nonEmptyString("the domain's base type, such as integer"),
                                  isNullable: !(try fields.optional("not_null")?.bool() ?? false),
                                  defaultExpression: try fields.optional("default")?.nonEmptyString("a default expression"),
                                  checkConstraints: try fields.optional("check").map { [CheckConstraint(expression: try $0.nonEmptyString("a check on VALUE"))] } ?? []))
        default:
            throw reader.error(reason: "a type is either an enum or a domain", remedy: "Write {enum: [label, …]} or {domain: base type, check: \"VALUE > 0\"}.")
        }
    }

    private static func zone(_ reader: YAMLReader) throws -> TimeZone {
        let name = try reader.nonEmptyString("a time zone name, such as UTC or Europe/Paris")
        guard let zone = TimeZone(identifier: name) else {
            throw reader.error(reason: "unknown time zone '\(name)'", remedy: "Use an IANA name, such as UTC, Europe/Paris or America/New_York.")
        }
        return zone
    }
}
