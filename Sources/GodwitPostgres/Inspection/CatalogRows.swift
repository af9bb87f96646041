/// Rows of the catalog queries in ``PostgresInspector``, decoded from `row_to_json`.
enum CatalogRows {
    struct NamespaceRow: Decodable, Sendable {
        var name: String
        var comment: String?
    }

    struct ExtensionRow: Decodable, Sendable {
        var name: String
        var schema: String
        var version: String
    }

    struct CompositeTypeRow: Decodable, Sendable {
        struct Attribute: Decodable, Sendable {
            var name: String
            var type: String
            var collation: String?
        }

        var schema: String
        var name: String
        var attributes: [Attribute]?
        var comment: String?
    }

    struct EnumRow: Decodable, Sendable {
        var schema: String
        var name: String
        var labels: [String]
        var comment: String?
    }

    struct DomainRow: Decodable, Sendable {
        var schema: String
        var name: String
        var baseType: String
        var notNull: Bool
        var defaultExpression: String?
        var collation: String?
        var comment: String?
        var checks: [ConstraintDefinition]?
    }

    struct ConstraintDefinition: Decodable, Sendable {
        var name: String
        var definition: String
        var validated: Bool
    }

    struct SequenceRow: Decodable, Sendable {
        var schema: String
        var name: String
        var dataType: String
        var start: Int64
        var increment: Int64
        var minValue: Int64
        var maxValue: Int64
        var cache: Int64
        var cycles: Bool
        var ownerSchema: String?
        var ownerTable: String?
        var ownerColumn: String?
        var comment: String?
    }

    struct TableRow: Decodable, Sendable {
        var storageParameters: [String]?
        var oid: Int64
        var schema: String
        var name: String
        var kind: String
        var persistence: String
        var comment: String?
        var estimatedRows: Int64?
        var liveRows: Int64?
        var sizeBytes: Int64?
        var partitionKey: String?
        var partitionBound: String?
        var parents: [[String]]?
    }

    struct ColumnRow: Decodable, Sendable {
        var tableOid: Int64
        var position: Int
        var name: String
        var type: String
        var notNull: Bool
        var defaultExpression: String?
        var identity: String
        var generated: String
        var collation: String?
        var isLocal: Bool
        var comment: String?
    }

    /// The sequence behind an identity column: the table and column, then the sequence's own
    /// fields as ``SequenceRow`` reads them, in the same object.
    struct IdentityRow: Decodable, Sendable {
        var tableOid: Int64
        var column: String
        var sequence: SequenceRow

        private enum CodingKeys: String, CodingKey { case tableOid, column }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            tableOid = try container.decode(Int64.self, forKey: .tableOid)
            column = try container.decode(String.self, forKey: .column)
            sequence = try SequenceRow(from: decoder)
        }
    }

    struct ConstraintRow: Decodable, Sendable {
        var comment: String?
        var tableOid: Int64
        var name: String
        var type: String
        /// `pg_get_constraintdef`, read for checks and exclusions only.
        var definition: String?
        var deferrable: Bool
        var deferred: Bool
        var validated: Bool
        var isLocal: Bool
        var noInherit: Bool
        var columns: [String]?
        var referencedColumns: [String]?
        var referencedSchema: String?
        var referencedTable: String?
        var updateAction: String
        var deleteAction: String
        var matchType: String
        var nullsNotDistinct: Bool?
        /// PostgreSQL 18: `NOT ENFORCED`, and `WITHOUT OVERLAPS` / `PERIOD` on the last column.
        var notEnforced: Bool?
        var period: Bool?
    }

    struct IndexRow: Decodable, Sendable {
        var storageParameters: [String]?
        var tableOid: Int64
        var name: String
        var isUnique: Bool
        var method: String
        var predicate: String?
        var keyCount: Int
        var comment: String?
        var nullsNotDistinct: Bool?
        var keys: [IndexKeyRow]
    }

    struct IndexKeyRow: Decodable, Sendable {
        var position: Int
        var attnum: Int
        var column: String?
        var expression: String?
        var operatorClass: String?
        var collation: String?
        var option: Int?
    }

    struct ViewRow: Decodable, Sendable {
        var oid: Int64
        var schema: String
        var name: String
        var kind: String
        var definition: String
        var comment: String?
        var dependencies: [[String]]?
    }

    struct FunctionRow: Decodable, Sendable {
        var schema: String
        var name: String
        var arguments: String
        var kind: String
        var language: String
        var definition: String?
        var comment: String?
        var dependencies: [[String]]?
        var aggregateTransition: String?
        var aggregateStateType: String?
        var aggregateFinal: String?
        var aggregateCombine: String?
        var aggregateInitialValue: String?
        var aggregateSortOperator: String?
    }

    struct TriggerRow: Decodable, Sendable {
        var schema: String
        var table: String
        var name: String
        var definition: String
        var enabled: String
        var comment: String?
    }

    struct RuleRow: Decodable, Sendable {
        var schema: String
        var table: String
        var name: String
        var definition: String
        var comment: String?
    }

    struct ExtendedStatisticsRow: Decodable, Sendable {
        var schema: String
        var name: String
        var tableSchema: String
        var table: String
        var definition: String
        var comment: String?
    }
}
