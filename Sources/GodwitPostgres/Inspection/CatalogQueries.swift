import Foundation
import Synchronization

/// The catalog queries behind ``PostgresInspector``: one set-based query per kind of object, so
/// a thousand tables cost no more round trips than one.
///
/// The inspector runs them all as one prepared statement, each aggregated with `json_agg`;
/// column aliases are the JSON keys of
/// ``CatalogRows``. They run with `search_path = pg_catalog`, so every `format_type`,
/// `pg_get_*def` and `::regproc` prints schema-qualified names. PostgreSQL 13 or later.
struct CatalogQueries {
    /// `n.nspname` restricted to user schemas (and to the requested ones, when given).
    let schemaFilter: String
    /// Whether tables' sizes on disk are read (`pg_total_relation_size`, a file-system call per
    /// relation); a scratch database's empty tables need none.
    let tableSizes: Bool
    /// The server's `server_version_num`: catalog columns differ between major versions.
    let serverVersion: Int

    /// What makes two sets of queries read the same rows: an incremental reading merges only
    /// into a reading of the same shape.
    struct Shape: Hashable, Sendable {
        let schemaFilter: String
        let tableSizes: Bool
        let serverVersion: Int
    }

    var shape: Shape { Shape(schemaFilter: schemaFilter, tableSizes: tableSizes, serverVersion: serverVersion) }

    init(schemas: [String], tableSizes: Bool = true, serverVersion: Int) {
        self.tableSizes = tableSizes
        self.serverVersion = serverVersion
        // `godwit` holds Godwit's own state (StateStore), not the application's schema.
        var filter = "n.nspname <> 'information_schema' AND n.nspname <> 'godwit' AND n.nspname NOT LIKE 'pg\\_%'"
        if !schemas.isEmpty {
            let list = schemas.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ", ")
            filter += " AND n.nspname IN (\(list))"
        }
        schemaFilter = filter
    }

    /// The objects extensions own, read from `pg_depend` once for every query (``statement``
    /// puts it in front as a common table expression).
    static let extensionMembers = "godwit_extension_members AS MATERIALIZED (SELECT e.classid, e.objid FROM pg_depend e WHERE e.deptype = 'e')"

    /// Leaves out objects that belong to an extension. `NOT IN` over a subquery is planned as one
    /// hashed subplan, where `NOT EXISTS` became a nested-loop anti join (58 ms of 102 on 1,000 tables).
    private func notExtensionMember(_ catalog: String, _ oid: String) -> String {
        "\(oid) NOT IN (SELECT e.objid FROM godwit_extension_members e WHERE e.classid = '\(catalog)'::regclass)"
    }

    /// The comment on an object, joined from `pg_description`: a hash join for the whole query,
    /// where `obj_description` and `col_description` look it up again for every row (about a
    /// third of the columns query on 1,000 tables).
    private func commentJoin(_ alias: String, object: String, catalog: String, subobject: String = "0") -> String {
        "LEFT JOIN pg_description \(alias) ON \(alias).objoid = \(object) AND \(alias).classoid = '\(catalog)'::regclass AND \(alias).objsubid = \(subobject)"
    }

    /// `pg_index.indnullsnotdistinct` (`UNIQUE NULLS NOT DISTINCT`, PostgreSQL 15); before 15
    /// every unique index treats NULLs as distinct.
    private func nullsNotDistinct(_ index: String) -> String {
        serverVersion >= 150_000 ? "\(index).indnullsnotdistinct" : "NULL::bool"
    }

    /// The queries named by `keys` in one statement: a row whose columns, named by the keys,
    /// are each query's rows as a JSON array.
    ///
    /// Every row carries `godwit_owner`, the object it belongs to (the table of a column, an
    /// index or a trigger; a view, function or type itself), and `godwit_object`, its own
    /// object (``ownership``). With `ownersParameter`, the statement takes an `oid[]` of owners
    /// as `$1` and reads only their rows (the extensions, a handful, are read whole): the
    /// reading of what changed since the last one.
    func statement(for keys: [String], ownersParameter: Bool = false) -> String {
        let key = StatementKey(shape: shape, keys: keys, ownersParameter: ownersParameter)
        if let built = Self.built.withLock({ $0[key] }) { return built }
        let statement = build(for: keys, ownersParameter: ownersParameter)
        Self.built.withLock { $0[key] = statement }
        return statement
    }

    /// Statements already put together: a reading of a few owners costs less than building the
    /// text of sixteen queries again.
    private static let built = Mutex<[StatementKey: String]>([:])

    private struct StatementKey: Hashable {
        let shape: Shape
        let keys: [String]
        let ownersParameter: Bool
    }

    private func build(for keys: [String], ownersParameter: Bool) -> String {
        "WITH \(Self.extensionMembers)\nSELECT " + all.filter { keys.contains($0.key) }.map { key, query in
            let owned = Self.owning(query, key: key)
            let filter = ownersParameter && key != "extensions" ? " WHERE q.godwit_owner = ANY($1::oid[])" : ""
            return "(SELECT coalesce(json_agg(q), '[]')::text FROM (\(owned)) AS q\(filter)) AS \(key)"
        }.joined(separator: ",\n")
    }

    /// Each section's owner and own object, as expressions over its query's aliases. What a
    /// table owns (columns, constraints, indexes, triggers, rules, statistics) names its owner
    /// by the joined table's `c.oid`, not by the owning column it equals (`a.attrelid`): a
    /// reading of a few owners then starts from those tables and reaches their parts by index,
    /// where a filter on the owning column scanned `pg_class` to join it (2.0 ms → 1.5 ms for
    /// one table of 400).
    static let ownership: [String: (owner: String, object: String)] = [
        "namespaces": ("n.oid", "n.oid"), "extensions": ("x.oid", "x.oid"), "enums": ("t.oid", "t.oid"),
        "domains": ("t.oid", "t.oid"), "sequences": ("c.oid", "c.oid"), "tables": ("c.oid", "c.oid"),
        "columns": ("c.oid", "a.attrelid"), "identities": ("c.oid", "sc.oid"),
        "constraints": ("c.oid", "con.oid"), "indexes": ("c.oid", "i.indexrelid"), "views": ("c.oid", "c.oid"),
        "functions": ("p.oid", "p.oid"), "triggers": ("c.oid", "t.oid"), "rules": ("c.oid", "r.oid"),
        "statistics": ("c.oid", "s.oid"), "composites": ("t.oid", "t.oid"),
    ]

    /// `query` with its owner and object columns in front.
    private static func owning(_ query: String, key: String) -> String {
        guard let (owner, object) = ownership[key], let select = query.range(of: "SELECT ") else { return query }
        return query.replacingCharacters(in: select, with: "SELECT \(owner) AS godwit_owner, \(object) AS godwit_object, ")
    }

    /// The sections split in two halves of about equal cost on the server (measured on 1,000
    /// tables: columns and tables against constraints and indexes), for reading on two sessions
    /// at once.
    static let halves: [[String]] = [
        ["namespaces", "extensions", "enums", "domains", "sequences", "tables", "columns", "identities"],
        ["constraints", "indexes", "views", "functions", "triggers", "rules", "statistics", "composites"],
    ]

    /// Every query, keyed by the section name the inspector reads it under.
    var all: KeyValuePairs<String, String> {
        [
            "namespaces": namespaces, "extensions": extensions, "enums": enums, "domains": domains,
            "sequences": sequences, "tables": tables, "columns": columns, "identities": identities, "constraints": constraints,
            "indexes": indexes, "views": views, "functions": functions, "triggers": triggers, "rules": rules,
            "statistics": extendedStatistics, "composites": compositeTypes,
        ]
    }

    var namespaces: String {
        """
        SELECT n.nspname AS name, d.description AS comment
        FROM pg_namespace n
        LEFT JOIN pg_description d ON d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass
        WHERE \(schemaFilter) AND \(notExtensionMember("pg_namespace", "n.oid"))
        """
    }

    var extensions: String {
        """
        SELECT x.extname AS name, n.nspname AS schema, x.extversion AS version
        FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
        WHERE x.extname <> 'plpgsql'
        """
    }

    var compositeTypes: String {
        """
        SELECT n.nspname AS schema, t.typname AS name, ds.description AS comment,
               (SELECT json_agg(json_build_object(
                    'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                    'collation', CASE WHEN a.attcollation <> 0 AND a.attcollation <> (SELECT at.typcollation FROM pg_type at WHERE at.oid = a.atttypid)
                                      THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                                            FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) END
                ) ORDER BY a.attnum)
                FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) AS attributes
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_class c ON c.oid = t.typrelid
        \(commentJoin("ds", object: "t.oid", catalog: "pg_type"))
        WHERE t.typtype = 'c' AND c.relkind = 'c' AND \(schemaFilter) AND \(notExtensionMember("pg_type", "t.oid"))
        """
    }

    var enums: String {
        """
        SELECT n.nspname AS schema, t.typname AS name,
               (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels,
               ds.description AS comment
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        \(commentJoin("ds", object: "t.oid", catalog: "pg_type"))
        WHERE t.typtype = 'e' AND \(schemaFilter) AND \(notExtensionMember("pg_type", "t.oid"))
        """
    }

    var domains: String {
        """
        SELECT n.nspname AS schema, t.typname AS name, format_type(t.typbasetype, t.typtypmod) AS "baseType",
               t.typnotnull AS "notNull", t.typdefault AS "defaultExpression",
               CASE WHEN t.typcollation <> 0 AND t.typcollation <> b.typcollation
                    THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS collation,
               ds.description AS comment,
               (SELECT json_agg(json_build_object('name', c.conname, 'definition', pg_get_constraintdef(c.oid),
                                                  'validated', c.convalidated) ORDER BY c.conname)
                FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c') AS checks
        FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace
        JOIN pg_type b ON b.oid = t.typbasetype
        LEFT JOIN pg_collation co ON co.oid = t.typcollation
        LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
        \(commentJoin("ds", object: "t.oid", catalog: "pg_type"))
        WHERE t.typtype = 'd' AND \(schemaFilter) AND \(notExtensionMember("pg_type", "t.oid"))
        """
    }

    var sequences: String {
        """
        SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS "dataType",
               s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS "minValue", s.seqmax AS "maxValue",
               s.seqcache AS cache, s.seqcycle AS cycles,
               tn.nspname AS "ownerSchema", t.relname AS "ownerTable", a.attname AS "ownerColumn",
               ds.description AS comment
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_sequence s ON s.seqrelid = c.oid
        \(commentJoin("ds", object: "c.oid", catalog: "pg_class"))
        LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
             AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
        LEFT JOIN pg_class t ON t.oid = d.refobjid
        LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE c.relkind = 'S' AND \(schemaFilter) AND \(notExtensionMember("pg_class", "c.oid"))
          AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_class'::regclass
                          AND i.objid = c.oid AND i.deptype = 'i')
        """
    }

    var tables: String {
        """
        SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.reloptions AS "storageParameters",
               c.relpersistence::text AS persistence, ds.description AS comment,
               CASE WHEN c.reltuples >= 0 THEN c.reltuples::int8 END AS "estimatedRows",
               -- A table never analyzed (reltuples -1) whose statistics counter has not caught up
               -- (0) is empty only when its file is: otherwise its rows are not known yet.
               CASE WHEN c.reltuples >= 0 OR pg_stat_get_live_tuples(c.oid) > 0 OR pg_relation_size(c.oid) = 0
                    THEN pg_stat_get_live_tuples(c.oid) END AS "liveRows",
               \(tableSizes ? sizeBytes : "NULL::int8") AS "sizeBytes",
               CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS "partitionKey",
               CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS "partitionBound",
               (SELECT json_agg(json_build_array(pn.nspname, p.relname) ORDER BY i.inhseqno)
                FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
                WHERE i.inhrelid = c.oid) AS parents
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        \(commentJoin("ds", object: "c.oid", catalog: "pg_class"))
        WHERE c.relkind IN ('r', 'p') AND \(schemaFilter) AND \(notExtensionMember("pg_class", "c.oid"))
        """
    }

    /// A table's bytes on disk: its main fork measured (a `stat()` of its files) and its
    /// indexes and TOAST table taken from their page counts as of the last VACUUM, ANALYZE or
    /// CREATE INDEX. `pg_total_relation_size` measures every fork of every one of them, which
    /// was 70 of 100 ms of the tables query on 1,000 tables.
    private var sizeBytes: String {
        """
        pg_relation_size(c.oid) + current_setting('block_size')::int8 * (
                 coalesce((SELECT sum(ic.relpages) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                           WHERE i.indrelid IN (c.oid, c.reltoastrelid)), 0)
                 + coalesce((SELECT t.relpages FROM pg_class t WHERE t.oid = c.reltoastrelid), 0))
        """
    }

    /// Every column, in no order (sorting 10,000 wide rows cost the server more than the rest of
    /// the query): the inspector orders them by `position`.
    var columns: String {
        """
        SELECT a.attrelid::int8 AS "tableOid", a.attnum::int AS position, a.attname AS name,
               format_type(a.atttypid, a.atttypmod) AS type,
               a.attnotnull AS "notNull", pg_get_expr(ad.adbin, ad.adrelid) AS "defaultExpression",
               a.attidentity::text AS identity, a.attgenerated::text AS generated,
               CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                    THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS collation,
               a.attislocal AS "isLocal", ds.description AS comment
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation
        LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
        \(commentJoin("ds", object: "a.attrelid", catalog: "pg_class", subobject: "a.attnum"))
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
          AND \(schemaFilter) AND \(notExtensionMember("pg_class", "c.oid"))
        """
    }

    /// The sequence behind each identity column, apart from ``columns``: joined there, the
    /// dependency lookup cost a quarter of the query though few columns are identities.
    var identities: String {
        """
        SELECT a.attrelid::int8 AS "tableOid", a.attname AS "column", sn.nspname AS schema, sc.relname AS name,
               format_type(sq.seqtypid, NULL) AS "dataType", sq.seqstart AS start, sq.seqincrement AS increment,
               sq.seqmin AS "minValue", sq.seqmax AS "maxValue", sq.seqcache AS cache, sq.seqcycle AS cycles
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum
             AND d.classid = 'pg_class'::regclass AND d.deptype = 'i'
        JOIN pg_class sc ON sc.oid = d.objid
        JOIN pg_namespace sn ON sn.oid = sc.relnamespace
        JOIN pg_sequence sq ON sq.seqrelid = sc.oid
        WHERE a.attidentity <> '' AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
          AND \(schemaFilter) AND \(notExtensionMember("pg_class", "c.oid"))
        """
    }

    var constraints: String {
        """
        SELECT con.conrelid::int8 AS "tableOid", con.conname AS name, con.contype::text AS type,
               CASE WHEN con.contype IN ('c', 'x') THEN pg_get_constraintdef(con.oid) END AS definition,
               con.condeferrable AS deferrable, ds.description AS comment,
               con.condeferred AS deferred, con.convalidated AS validated, con.conislocal AS "isLocal",
               con.connoinherit AS "noInherit",
               (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns,
               (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS "referencedColumns",
               fn.nspname AS "referencedSchema", f.relname AS "referencedTable",
               con.confupdtype::text AS "updateAction", con.confdeltype::text AS "deleteAction",
               con.confmatchtype::text AS "matchType",
               \(nullsNotDistinct("ix")) AS "nullsNotDistinct",
               \(serverVersion >= 180_000 ? "NOT con.conenforced" : "NULL::bool") AS "notEnforced",
               \(serverVersion >= 180_000 ? "con.conperiod" : "NULL::bool") AS period
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_class f ON f.oid = con.confrelid
        LEFT JOIN pg_namespace fn ON fn.oid = f.relnamespace
        LEFT JOIN pg_index ix ON ix.indexrelid = con.conindid AND con.contype IN ('p', 'u')
        \(commentJoin("ds", object: "con.oid", catalog: "pg_constraint"))
        WHERE con.contype IN ('p', 'u', 'c', 'f', 'x', 'n') AND con.conparentid = 0 AND c.relkind IN ('r', 'p')
          AND \(schemaFilter) AND \(notExtensionMember("pg_class", "c.oid"))
        """
    }

    var indexes: String {
        """
        SELECT i.indrelid::int8 AS "tableOid", ic.relname AS name, i.indisunique AS "isUnique", am.amname AS method,
               pg_get_expr(i.indpred, i.indrelid) AS predicate, i.indnkeyatts::int AS "keyCount",
               ds.description AS comment, ic.reloptions AS "storageParameters",
               \(nullsNotDistinct("i")) AS "nullsNotDistinct",
               (SELECT json_agg(json_build_object(
                    'position', k.ord, 'attnum', k.attnum, 'column', a.attname,
                    'expression', CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::int, true) END,
                    'operatorClass', (SELECT quote_ident(opn.nspname) || '.' || quote_ident(opc.opcname)
                                      FROM pg_opclass opc JOIN pg_namespace opn ON opn.oid = opc.opcnamespace
                                      WHERE opc.oid = k.opclass AND NOT opc.opcdefault),
                    'collation', CASE WHEN k.coll <> 0 AND k.coll <> 100 AND k.coll IS DISTINCT FROM a.attcollation
                                      THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                                            FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                            WHERE co.oid = k.coll) END,
                    'option', k.option) ORDER BY k.ord)
                FROM unnest(i.indkey::int2[], i.indclass::oid[], i.indcollation::oid[], i.indoption::int2[])
                     WITH ORDINALITY AS k(attnum, opclass, coll, option, ord)
                LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0) AS keys
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_am am ON am.oid = ic.relam
        \(commentJoin("ds", object: "ic.oid", catalog: "pg_class"))
        WHERE c.relkind IN ('r', 'p', 'm') AND NOT ic.relispartition
          AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid
                          AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))
          AND \(schemaFilter) AND \(notExtensionMember("pg_class", "c.oid"))
        """
    }

    var views: String {
        """
        SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
               pg_get_viewdef(c.oid) AS definition, ds.description AS comment,
               (SELECT jsonb_agg(DISTINCT dep) FROM (
                    SELECT jsonb_build_array(rn.nspname, rc.relname) AS dep
                    FROM pg_rewrite r
                    JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                         AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> c.oid
                    JOIN pg_class rc ON rc.oid = d.refobjid
                    JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                    WHERE r.ev_class = c.oid
                    UNION
                    SELECT jsonb_build_array(pn.nspname, p.proname)
                    FROM pg_rewrite r
                    JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                         AND d.refclassid = 'pg_proc'::regclass
                    JOIN pg_proc p ON p.oid = d.refobjid
                    JOIN pg_namespace pn ON pn.oid = p.pronamespace
                    WHERE r.ev_class = c.oid AND pn.nspname <> 'pg_catalog') deps) AS dependencies
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        \(commentJoin("ds", object: "c.oid", catalog: "pg_class"))
        WHERE c.relkind IN ('v', 'm') AND \(schemaFilter) AND \(notExtensionMember("pg_class", "c.oid"))
        """
    }

    var functions: String {
        """
        SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS arguments,
               p.prokind::text AS kind, l.lanname AS language,
               CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition,
               ds.description AS comment,
               (SELECT jsonb_agg(DISTINCT jsonb_build_array(rn.nspname, rc.relname))
                FROM pg_depend d
                LEFT JOIN pg_type t ON d.refclassid = 'pg_type'::regclass AND t.oid = d.refobjid
                JOIN pg_class rc ON rc.oid = CASE WHEN d.refclassid = 'pg_class'::regclass THEN d.refobjid ELSE t.typrelid END
                JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                  AND d.refclassid IN ('pg_type'::regclass, 'pg_class'::regclass)
               ) AS dependencies,
               ag.aggtransfn::regproc::text AS "aggregateTransition",
               format_type(ag.aggtranstype, NULL) AS "aggregateStateType",
               NULLIF(ag.aggfinalfn::regproc::text, '-') AS "aggregateFinal",
               NULLIF(ag.aggcombinefn::regproc::text, '-') AS "aggregateCombine",
               ag.agginitval AS "aggregateInitialValue",
               NULLIF(ag.aggsortop::regoperator::text, '0') AS "aggregateSortOperator"
        FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        JOIN pg_language l ON l.oid = p.prolang
        LEFT JOIN pg_aggregate ag ON ag.aggfnoid = p.oid
        \(commentJoin("ds", object: "p.oid", catalog: "pg_proc"))
        WHERE \(schemaFilter) AND \(notExtensionMember("pg_proc", "p.oid"))
        """
    }

    var triggers: String {
        """
        SELECT n.nspname AS schema, c.relname AS "table", t.tgname AS name, pg_get_triggerdef(t.oid) AS definition,
               t.tgenabled::text AS enabled, ds.description AS comment
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        \(commentJoin("ds", object: "t.oid", catalog: "pg_trigger"))
        WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND \(schemaFilter) AND \(notExtensionMember("pg_class", "c.oid"))
        """
    }

    var rules: String {
        """
        SELECT n.nspname AS schema, c.relname AS "table", r.rulename AS name, pg_get_ruledef(r.oid) AS definition,
               ds.description AS comment
        FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
        \(commentJoin("ds", object: "r.oid", catalog: "pg_rewrite"))
        WHERE r.rulename <> '_RETURN' AND \(schemaFilter) AND \(notExtensionMember("pg_class", "c.oid"))
        """
    }

    var extendedStatistics: String {
        """
        SELECT n.nspname AS schema, s.stxname AS name, tn.nspname AS "tableSchema", c.relname AS "table",
               pg_get_statisticsobjdef(s.oid) AS definition, ds.description AS comment
        FROM pg_statistic_ext s
        JOIN pg_namespace n ON n.oid = s.stxnamespace
        JOIN pg_class c ON c.oid = s.stxrelid JOIN pg_namespace tn ON tn.oid = c.relnamespace
        \(commentJoin("ds", object: "s.oid", catalog: "pg_statistic_ext"))
        WHERE \(schemaFilter) AND \(notExtensionMember("pg_statistic_ext", "s.oid"))
        """
    }
}
