import GodwitCore

/// Notes, in a throwaway database, which objects each DDL statement creates, alters or drops:
/// two event triggers (`ddl_command_end`, `sql_drop`) append the objects to a table in the
/// `godwit` schema, which inspection never reads as the application's. An incremental reading
/// then reads again only what those objects belong to, and the objects that depend on them
/// (whose printed definitions name them: a view on a renamed table).
///
/// Event triggers need a superuser; without one nothing is installed and readings stay whole.
/// Never installed in a user's database: Godwit puts it only in the scratch it tries SQL on.
enum SchemaChangeLog {
    static let install = """
        CREATE SCHEMA IF NOT EXISTS godwit;
        CREATE TABLE godwit.schema_changes (id bigserial PRIMARY KEY, classid oid NOT NULL, objid oid NOT NULL);
        CREATE FUNCTION godwit.note_schema_change() RETURNS event_trigger LANGUAGE plpgsql AS $godwit$
        BEGIN
          IF TG_EVENT = 'sql_drop' THEN
            INSERT INTO godwit.schema_changes (classid, objid) SELECT d.classid, d.objid FROM pg_catalog.pg_event_trigger_dropped_objects() d;
          ELSE
            INSERT INTO godwit.schema_changes (classid, objid) SELECT c.classid, c.objid FROM pg_catalog.pg_event_trigger_ddl_commands() c;
          END IF;
        END
        $godwit$;
        CREATE EVENT TRIGGER godwit_note_schema_changes ON ddl_command_end EXECUTE FUNCTION godwit.note_schema_change();
        CREATE EVENT TRIGGER godwit_note_schema_drops ON sql_drop EXECUTE FUNCTION godwit.note_schema_change();
        """

    /// The newest change noted so far (0 for none).
    static func lastChange(on driver: PostgresDriver) async throws -> Int64 {
        try await driver.query(unsafeSQL: "SELECT coalesce(max(id), 0)::int8 FROM godwit.schema_changes").first?[0].integerValue ?? 0
    }

    /// An object changed since a reading: its own OID and, while it still exists, the OID of
    /// the owner whose catalog rows show it (``CatalogQueries/ownership``).
    struct Change {
        let object: Int64
        let owner: Int64?
        /// The owner's kind, while the object exists.
        let kind: OwnerKind?
        /// Whether a statement touched the object itself; otherwise it depends on one that was.
        let isDirect: Bool
    }

    /// The objects changed after change `last`, and every object depending on them (one
    /// level, through `pg_depend`, also through a relation's row type and a type's array type),
    /// which need reading again only when a changed object's printed names changed; and the
    /// newest change.
    static func changes(since last: Int64, on driver: PostgresDriver) async throws -> (owners: [Change], last: Int64) {
        let rows = try await driver.queryPrepared(unsafeSQL: changesQuery, parameterTypes: ["int8"], arguments: [String(last)])
        var changes: [Change] = []
        var newest = last
        for row in rows {
            newest = max(newest, row[2].integerValue ?? newest)
            guard let object = row[0].integerValue else { continue }
            changes.append(Change(object: object, owner: row[1].integerValue, kind: row[3].textValue.flatMap(OwnerKind.init(rawValue:)),
                                  isDirect: row[4].integerValue == 1))
        }
        return (changes, newest)
    }

    /// What kind of object an owner is, and so which catalog sections hold its rows.
    enum OwnerKind: String, CaseIterable {
        case relation = "r"
        case type = "t"
        case function = "f"
        case namespace = "n"
        case installedExtension = "x"

        /// The sections an owner of this kind has rows in.
        var sections: [String] {
            switch self {
            case .relation: ["tables", "columns", "identities", "constraints", "indexes", "views", "sequences", "triggers", "rules", "statistics"]
            case .type: ["enums", "domains", "composites"]
            case .function: ["functions"]
            case .namespace: ["namespaces"]
            case .installedExtension: ["extensions"]
            }
        }

        /// The kind of the owners a section's rows belong to.
        init?(section: String) {
            guard let kind = Self.allCases.first(where: { $0.sections.contains(section) }) else { return nil }
            self = kind
        }
    }

    private static let changesQuery = """
        WITH changed AS (SELECT DISTINCT classid, objid FROM godwit.schema_changes WHERE id > $1),
        named AS (
          SELECT classid, objid FROM changed
          UNION SELECT 'pg_type'::regclass::oid, c.reltype FROM changed ch JOIN pg_class c ON ch.classid = 'pg_class'::regclass AND c.oid = ch.objid WHERE c.reltype <> 0
        ),
        known AS (
          SELECT classid, objid FROM named
          UNION SELECT 'pg_type'::regclass::oid, t.typarray FROM named n JOIN pg_type t ON n.classid = 'pg_type'::regclass AND t.oid = n.objid WHERE t.typarray <> 0
        ),
        touched AS (
          SELECT classid, objid, 1 AS direct FROM changed
          UNION SELECT d.classid, d.objid, 0 FROM pg_depend d JOIN known k ON d.refclassid = k.classid AND d.refobjid = k.objid WHERE d.deptype <> 'e'
        )
        SELECT t.objid::int8,
               (CASE t.classid
                  WHEN 'pg_class'::regclass THEN (SELECT CASE WHEN c.relkind IN ('i', 'I') THEN (SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = c.oid)
                                                             WHEN c.relkind = 'c' THEN c.reltype ELSE c.oid END FROM pg_class c WHERE c.oid = t.objid)
                  WHEN 'pg_constraint'::regclass THEN (SELECT CASE WHEN k.conrelid <> 0 THEN k.conrelid ELSE k.contypid END FROM pg_constraint k WHERE k.oid = t.objid)
                  WHEN 'pg_trigger'::regclass THEN (SELECT g.tgrelid FROM pg_trigger g WHERE g.oid = t.objid)
                  WHEN 'pg_rewrite'::regclass THEN (SELECT r.ev_class FROM pg_rewrite r WHERE r.oid = t.objid)
                  WHEN 'pg_attrdef'::regclass THEN (SELECT a.adrelid FROM pg_attrdef a WHERE a.oid = t.objid)
                  WHEN 'pg_statistic_ext'::regclass THEN (SELECT s.stxrelid FROM pg_statistic_ext s WHERE s.oid = t.objid)
                  WHEN 'pg_type'::regclass THEN t.objid
                  WHEN 'pg_proc'::regclass THEN t.objid
                  WHEN 'pg_namespace'::regclass THEN t.objid
                  WHEN 'pg_extension'::regclass THEN t.objid
                  ELSE t.objid END)::int8,
               (SELECT coalesce(max(id), 0) FROM godwit.schema_changes)::int8,
               CASE t.classid
                 WHEN 'pg_class'::regclass THEN (SELECT CASE WHEN c.relkind = 'c' THEN 't' ELSE 'r' END FROM pg_class c WHERE c.oid = t.objid)
                 WHEN 'pg_constraint'::regclass THEN (SELECT CASE WHEN k.conrelid <> 0 THEN 'r' ELSE 't' END FROM pg_constraint k WHERE k.oid = t.objid)
                 WHEN 'pg_trigger'::regclass THEN 'r' WHEN 'pg_rewrite'::regclass THEN 'r' WHEN 'pg_attrdef'::regclass THEN 'r'
                 WHEN 'pg_statistic_ext'::regclass THEN 'r' WHEN 'pg_type'::regclass THEN 't' WHEN 'pg_proc'::regclass THEN 'f'
                 WHEN 'pg_namespace'::regclass THEN 'n' WHEN 'pg_extension'::regclass THEN 'x' END,
               t.direct::int8
        FROM touched t
        UNION ALL SELECT NULL, NULL, (SELECT coalesce(max(id), 0) FROM godwit.schema_changes)::int8, NULL, NULL
        """
}
