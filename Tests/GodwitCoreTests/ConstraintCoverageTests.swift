import GodwitCore
import Testing

@Suite("What a copy's target fails to enforce")
struct ConstraintCoverageTests {
    static let expected = Table(
        name: QualifiedName(schema: "public", "child"),
        primaryKey: PrimaryKey(columns: ["id"]),
        uniqueConstraints: [UniqueConstraint(columns: ["code", "region"])],
        checkConstraints: [CheckConstraint(name: "qty_positive", expression: "qty > 0"), CheckConstraint(expression: "code <> ''"),
                           CheckConstraint(expression: "region <> ''")],
        foreignKeys: [ForeignKey(columns: ["parent_id"], referencedTable: QualifiedName(schema: "public", "parent"), referencedColumns: ["id"])]
    )

    @Test("A faithful target lacks nothing; names, case and a unique index standing for a unique constraint do not matter")
    func faithful() {
        let actual = Table(
            name: QualifiedName(schema: "public", "child"),
            primaryKey: PrimaryKey(name: "child_pkey", columns: ["ID"]),
            checkConstraints: [CheckConstraint(name: "QTY_POSITIVE", expression: "(qty > 0)"), CheckConstraint(name: "child_check", expression: "(code <> ''::text)"),
                               CheckConstraint(name: "child_check1", expression: "(region <> ''::text)")],
            foreignKeys: [ForeignKey(name: "child_parent_id_fkey", columns: ["parent_id"], referencedTable: QualifiedName(schema: "public", "Parent"), referencedColumns: ["id"])],
            indexes: [Index(name: "child_code_region", isUnique: true, elements: [.init(expression: "region"), .init(expression: "code")])]
        )
        #expect(ConstraintCoverage.missing(expected: Self.expected, actual: actual) == [])
    }

    @Test("Each kind missing is named; an unvalidated foreign key or check does not count; a partial unique index is not a unique constraint")
    func missing() {
        let actual = Table(
            name: QualifiedName(schema: "public", "child"),
            checkConstraints: [CheckConstraint(name: "qty_positive", expression: "qty > 0", isValidated: false), CheckConstraint(name: "x", expression: "code <> ''")],
            foreignKeys: [ForeignKey(columns: ["parent_id"], referencedTable: QualifiedName(schema: "public", "parent"), referencedColumns: ["id"], isValidated: false)],
            indexes: [Index(name: "child_code_region", isUnique: true, elements: [.init(expression: "code"), .init(expression: "region")], predicate: "code IS NOT NULL")]
        )
        #expect(ConstraintCoverage.missing(expected: Self.expected, actual: actual) == [
            "primary key (id)", "unique (code, region)", "foreign key (parent_id) → public.parent (id)",
            "check qty_positive (qty > 0)", "check (region <> '')",
        ])
        #expect(ConstraintCoverage.missing(expected: Self.expected, actual: nil).count == 6)
    }
}

@Suite("Which changes check the rows already there")
struct ChecksExistingRowsTests {
    @Test("A CHECK or foreign key added NOT VALID checks no existing row; validated ones do")
    func notValid() {
        let table = QualifiedName("orders")
        #expect(Operation.addConstraint(table: table, constraint: .check(CheckConstraint(expression: "qty > 0"))).checksExistingRows)
        #expect(!Operation.addConstraint(table: table, constraint: .check(CheckConstraint(expression: "qty > 0", isValidated: false))).checksExistingRows)
        let key = ForeignKey(columns: ["user_id"], referencedTable: QualifiedName("users"), referencedColumns: ["id"], isValidated: false)
        #expect(!Operation.addConstraint(table: table, constraint: .foreignKey(key)).checksExistingRows)
    }
}
