/// One change a migration makes: the closed catalogue of product.md.
///
/// Every case can say what it does to a schema model; the classifier, planner and linter switch
/// over them exhaustively, so a new operation cannot be forgotten by any of them.
public enum Operation: Hashable, Sendable {
    case createTable(Table)
    case dropTable(QualifiedName)
    case renameTable(QualifiedName, to: String)
    case addColumn(AddColumn)
    case dropColumn(table: QualifiedName, column: String)
    case renameColumn(table: QualifiedName, from: String, to: String)
    case alterColumn(AlterColumn)
    case createIndex(table: QualifiedName, index: Index)
    case dropIndex(table: QualifiedName, name: String)
    case addConstraint(table: QualifiedName, constraint: Constraint)
    case dropConstraint(table: QualifiedName, name: String)
    case updateRows(UpdateRows)
    case rawSQL(RawSQL)

    /// The operation's kind, as written in migration files.
    public var kind: OperationKind {
        switch self {
        case .createTable: .createTable
        case .dropTable: .dropTable
        case .renameTable: .renameTable
        case .addColumn: .addColumn
        case .dropColumn: .dropColumn
        case .renameColumn: .renameColumn
        case .alterColumn: .alterColumn
        case .createIndex: .createIndex
        case .dropIndex: .dropIndex
        case .addConstraint: .addConstraint
        case .dropConstraint: .dropConstraint
        case .updateRows: .updateRows
        case .rawSQL: .sql
        }
    }

    /// Whether the operation updates every (matching) row as data, apart from any DDL: a
    /// batched update or a backfill.
    public var writesEveryRow: Bool {
        switch self {
        case .updateRows: true
        case .addColumn(let change): change.up != nil
        default: false
        }
    }

    /// The columns the operation touches, or `nil` when it concerns the whole table (or cannot
    /// tell, as raw SQL and batched updates).
    public var columns: Set<String>? {
        switch self {
        case .addColumn(let change): [change.column.name]
        case .dropColumn(_, let column): [column]
        case .renameColumn(_, let from, let to): [from, to]
        case .alterColumn(let change): [change.column]
        case .createIndex(_, let index): Set(index.elements.filter { !$0.isExpression }.map(\.expression) + index.includedColumns)
        case .addConstraint(_, .unique(let unique)): Set(unique.columns)
        case .addConstraint(_, .foreignKey(let key)): Set(key.columns)
        case .addConstraint(_, .primaryKey(let key)): Set(key.columns)
        default: nil
        }
    }

    /// Whether the operation renames or removes a table, column, index or constraint, so that
    /// SQL written for the names before it no longer finds them.
    /// Whether the operation makes the engine check the rows already there: a new constraint,
    /// NOT NULL, a unique or foreign key, a type the values must convert to.
    public var checksExistingRows: Bool {
        switch self {
        // A CHECK or foreign key added NOT VALID (as a SQL file may write it) leaves the rows
        // already there unchecked until a VALIDATE.
        case .addConstraint(_, .check(let check)): check.isValidated
        case .addConstraint(_, .foreignKey(let key)): key.isValidated
        case .addConstraint: true
        case .createIndex(_, let index): index.isUnique
        case .alterColumn(let change):
            change.isNullable == false || change.check != nil || change.isUnique == true || change.references != nil || change.type != nil
        default: false
        }
    }

    public var renamesOrRemoves: Bool {
        switch self {
        case .renameTable, .renameColumn, .dropTable, .dropColumn, .dropIndex, .dropConstraint: true
        default: false
        }
    }

    /// The columns the operation touches, resolved against the table as it stands before it:
    /// a CHECK touches the columns its expression names, a batched update the columns it sets or
    /// filters on, a dropped constraint the columns it covered. `nil` when it cannot tell.
    public func columns(in table: Table?) -> Set<String>? {
        if let columns { return columns }
        guard let table else { return nil }
        let mentioned: (String) -> Set<String> = { sql in Set(table.columns.map(\.name).filter { SQLText.mentions(sql, $0) }) }
        switch self {
        case .addConstraint(_, .check(let check)): return mentioned(check.expression)
        case .updateRows(let update): return mentioned(update.set + " " + (update.condition ?? ""))
        case .dropConstraint(_, let name):
            if let key = table.primaryKey, key.name == name { return Set(key.columns) }
            if let unique = table.uniqueConstraints.first(where: { $0.name == name }) { return Set(unique.columns) }
            if let key = table.foreignKeys.first(where: { $0.name == name }) { return Set(key.columns) }
            if let check = table.checkConstraints.first(where: { $0.name == name }) { return mentioned(check.expression) }
            return nil
        default: return nil
        }
    }

    /// Whether the two operations may touch the same thing: the same table, and overlapping
    /// columns or one of them table-wide. `table` and `otherTable` are the tables as they stand
    /// before each operation, to resolve what a CHECK or an update touches.
    public func overlaps(_ other: Operation, table before: Table? = nil, otherTable otherBefore: Table? = nil) -> Bool {
        guard let table, let otherTable = other.table, table.name == otherTable.name else { return false }
        guard let columns = columns(in: before), let otherColumns = other.columns(in: otherBefore) else { return true }
        return !columns.isDisjoint(with: otherColumns)
    }

    /// The table the operation changes, when there is one.
    public var table: QualifiedName? {
        switch self {
        case .createTable(let table): table.name
        case .dropTable(let name), .renameTable(let name, _): name
        case .addColumn(let change): change.table
        case .dropColumn(let table, _), .renameColumn(let table, _, _), .createIndex(let table, _),
             .dropIndex(let table, _), .addConstraint(let table, _), .dropConstraint(let table, _):
            table
        case .alterColumn(let change): change.table
        case .updateRows(let update): update.table
        case .rawSQL: nil
        }
    }
}

/// The operation kinds, named as migration files name them.
extension Operation {
    /// What hand-written SQL was seen to do on a scratch copy; nil for other operations.
    public var effect: SQLEffect? {
        if case .rawSQL(let raw) = self { return raw.effect }
        return nil
    }

    /// The hand-written SQL; nil for other operations.
    public var rawSQL: RawSQL? {
        if case .rawSQL(let raw) = self { return raw }
        return nil
    }
}

extension Migration {
    /// The operations with hand-written SQL replaced by the changes its scratch run found.
    public var effectiveOperations: [Operation] {
        operations.flatMap { $0.effect?.operations ?? [$0] }
    }
}

public enum OperationKind: String, Hashable, Sendable, CaseIterable {
    case createTable = "create_table"
    case dropTable = "drop_table"
    case renameTable = "rename_table"
    case addColumn = "add_column"
    case dropColumn = "drop_column"
    case renameColumn = "rename_column"
    case alterColumn = "alter_column"
    case createIndex = "create_index"
    case dropIndex = "drop_index"
    case addConstraint = "add_constraint"
    case dropConstraint = "drop_constraint"
    case updateRows = "update_rows"
    case sql
}

/// A new column, with how existing rows get their value.
public struct AddColumn: Hashable, Sendable {
    public var table: QualifiedName
    public var column: Column
    /// An expression over the row's other columns that fills the new column for existing rows
    /// (a backfill); `nil` leaves them to the default or NULL.
    public var up: String?

    public init(table: QualifiedName, column: Column, up: String? = nil) {
        self.table = table
        self.column = column
        self.up = up
    }
}

/// A change to one column: any of type, nullability, default, check, unique, references, with
/// the expressions that convert values each way.
public struct AlterColumn: Hashable, Sendable {
    /// A default to set, or to drop.
    public enum DefaultChange: Hashable, Sendable {
        case set(String)
        case drop
    }

    public var table: QualifiedName
    public var column: String
    /// The new type.
    public var type: String?
    /// `false` to add NOT NULL, `true` to drop it.
    public var isNullable: Bool?
    public var defaultChange: DefaultChange?
    /// A CHECK over the column to add.
    public var check: CheckConstraint?
    /// `true` to add a single-column UNIQUE constraint.
    public var isUnique: Bool?
    /// A foreign key from this column to add.
    public var references: ForeignKey?
    /// The new value from the old row (`created_at AT TIME ZONE 'UTC'`); defaults to the column.
    public var up: String?
    /// The old value from the new row, for rollback and dual writes.
    public var down: String?

    public init(
        table: QualifiedName,
        column: String,
        type: String? = nil,
        isNullable: Bool? = nil,
        defaultChange: DefaultChange? = nil,
        check: CheckConstraint? = nil,
        isUnique: Bool? = nil,
        references: ForeignKey? = nil,
        up: String? = nil,
        down: String? = nil
    ) {
        self.table = table
        self.column = column
        self.type = type
        self.isNullable = isNullable
        self.defaultChange = defaultChange
        self.check = check
        self.isUnique = isUnique
        self.references = references
        self.up = up
        self.down = down
    }
}

/// A constraint added on its own (not as part of a column change).
public enum Constraint: Hashable, Sendable {
    case primaryKey(PrimaryKey)
    case unique(UniqueConstraint)
    case check(CheckConstraint)
    case foreignKey(ForeignKey)

    /// The constraint's name, when it has one.
    public var name: String? {
        switch self {
        case .primaryKey(let key): key.name
        case .unique(let unique): unique.name
        case .check(let check): check.name
        case .foreignKey(let key): key.name
        }
    }

    /// Whether it carries what PostgreSQL 18 added and a migration file's operations cannot say:
    /// a temporal key (`WITHOUT OVERLAPS`), a `PERIOD` reference, `NOT ENFORCED`.
    public var hasPostgres18Flags: Bool {
        switch self {
        case .primaryKey(let key): key.withoutOverlaps
        case .unique(let unique): unique.withoutOverlaps
        case .check(let check): check.isNotEnforced
        case .foreignKey(let key): key.isNotEnforced || key.hasPeriod
        }
    }
}

extension Table {
    /// Whether one of its constraints has ``Constraint/hasPostgres18Flags``.
    public var hasPostgres18ConstraintFlags: Bool {
        (primaryKey.map { [Constraint.primaryKey($0)] } ?? []).contains(where: \.hasPostgres18Flags)
            || uniqueConstraints.contains { $0.withoutOverlaps } || checkConstraints.contains { $0.isNotEnforced }
            || foreignKeys.contains { $0.isNotEnforced || $0.hasPeriod }
    }
}

/// A data change applied in batches of rows, walking the primary key.
public struct UpdateRows: Hashable, Sendable {
    public var table: QualifiedName
    /// The `SET` list (`status = 'archived'`).
    public var set: String
    /// The condition rows must meet, if any.
    public var condition: String?
    /// The `SET` list that undoes it, when it can be undone.
    public var down: String?
    public var batchSize: Int

    public init(table: QualifiedName, set: String, condition: String? = nil, down: String? = nil, batchSize: Int = Backfill.defaultBatchSize) {
        self.table = table
        self.set = set
        self.condition = condition
        self.down = down
        self.batchSize = batchSize
    }
}

/// SQL written by hand, with the SQL that undoes it (required).
///
/// Godwit runs it statement by statement as psql would (see ``SQLScript``), and learns what it
/// does to the schema by running it on a scratch copy first (``effect``), so it is classified,
/// linted, verified and rolled back like the operations Godwit writes itself.
public struct RawSQL: Hashable, Sendable {
    public var up: String
    public var down: String
    /// Whether it may run inside a transaction (`false` for `CREATE INDEX CONCURRENTLY` and the like).
    public var isTransactional: Bool
    /// Where `up` and `down` were written, for errors and findings that name file:line:column.
    public var upSource: SQLSource?
    public var downSource: SQLSource?
    /// What running it on a scratch copy of the schema showed; set by the engine before planning.
    public var effect: SQLEffect?
    /// Whether Godwit writes `down` itself, from what `up` did on the scratch copy, because the
    /// tool the file comes from writes none (Prisma). The written down is marked for review
    /// (``SQLEffect/generatedDown``).
    public var generatesDown: Bool

    public init(up: String, down: String, isTransactional: Bool = true, upSource: SQLSource? = nil, downSource: SQLSource? = nil,
                effect: SQLEffect? = nil, generatesDown: Bool = false) {
        self.up = up
        self.down = down
        self.isTransactional = isTransactional
        self.upSource = upSource
        self.downSource = downSource
        self.effect = effect
        self.generatesDown = generatesDown
    }
}

extension RawSQL {
    /// Two operations are equal when they run the same SQL the same way, wherever it was written.
    public static func == (lhs: RawSQL, rhs: RawSQL) -> Bool {
        lhs.up == rhs.up && lhs.down == rhs.down && lhs.isTransactional == rhs.isTransactional && lhs.effect == rhs.effect
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(up)
        hasher.combine(down)
        hasher.combine(isTransactional)
    }
}

/// Where a piece of SQL stands in a file: the file and the line its first line is on.
public struct SQLSource: Hashable, Sendable {
    public var file: String
    /// The line of the SQL's first line in the file (1 for a file of SQL).
    public var firstLine: Int
    /// The column of the SQL's first character on that line (1 for a file of SQL).
    public var firstColumn: Int

    public init(file: String, firstLine: Int = 1, firstColumn: Int = 1) {
        self.file = file
        self.firstLine = firstLine
        self.firstColumn = firstColumn
    }

    /// The place in the file of a position inside the SQL.
    public func filePosition(of position: FilePosition) -> FilePosition {
        FilePosition(line: firstLine - 1 + position.line, column: position.line == 1 ? firstColumn - 1 + position.column : position.column)
    }

    /// `file:line:column` of a position inside the SQL.
    public func location(of position: FilePosition) -> String {
        let place = filePosition(of: position)
        return "\(file):\(place.line):\(place.column)"
    }
}
