import Foundation
import GodwitCore
import GodwitEngine
import GodwitPostgres
import GodwitTesting
import Testing

/// The sample schemas, loaded with psql.
enum PostgresSample: String, CaseIterable, Sendable {
    case chinook, sakila, features

    func load(into endpoint: DatabaseURL.PostgresEndpoint) async throws {
        switch self {
        case .chinook:
            try await TestPostgres.load(Fixtures.chinookPostgres, into: endpoint)
        case .sakila:
            try await TestPostgres.load(Fixtures.sakilaSchema, into: endpoint)
            try await TestPostgres.load(Fixtures.sakilaData, into: endpoint)
        case .features:
            try await TestPostgres.load(Fixtures.postgresFeatures, into: endpoint)
        }
    }
}

@Suite("PostgreSQL round trip")
struct PostgresRoundTripTests {
    @Test("inspect → SQL → empty database gives an equal model and the same pg_dump --schema-only", arguments: PostgresSample.allCases)
    func roundTrip(sample: PostgresSample) async throws {
        try await TestPostgres.withTemporaryDatabase { sourceEndpoint in
            try await sample.load(into: sourceEndpoint)
            try await TestPostgres.withTemporaryDatabase { targetEndpoint in
                let source = try await PostgresDriver.connect(sourceEndpoint)
                let target = try await PostgresDriver.connect(targetEndpoint)
                let outcome = try await SchemaRoundTrip.run(from: source, into: target)
                try await source.close()
                try await target.close()
                #expect(outcome.recreated == outcome.original)
                // The JSON a run's plans are stored as decodes to the same model, written anew
                // and copied from the cache alike.
                let cache = SchemaJSONCache()
                for _ in 0..<2 {
                    #expect(try JSONDecoder().decode(Schema.self, from: Data(cache.json(of: outcome.original).utf8)) == outcome.original)
                }
                let originalDump = try await TestPostgres.schemaDump(sourceEndpoint)
                let recreatedDump = try await TestPostgres.schemaDump(targetEndpoint)
                #expect(recreatedDump == originalDump)
                #expect(originalDump.contains("CREATE TABLE"))
            }
        }
    }
}

@Suite("PostgreSQL 18 table features")
struct Postgres18FeatureTests {
    @Test("named NOT NULL constraints, virtual generated columns, statistics objects, temporal keys and references, and NOT ENFORCED constraints survive inspect → SQL → load (on older servers: what they keep)")
    func roundTrip() async throws {
        try await TestPostgres.withTemporaryDatabase { sourceEndpoint in
            let source = try await PostgresDriver.connect(sourceEndpoint)
            let major = try await source.serverVersionNumber() / 10000
            var script = try String(contentsOf: Fixtures.postgres18Features, encoding: .utf8)
            if major < 18 { script = script.replacingOccurrences(of: ") VIRTUAL", with: ") STORED") }
            try await source.executeScript(unsafeSQL: script)
            if major >= 18 {
                // Temporal keys and references, and constraints declared NOT ENFORCED.
                try await source.executeScript(unsafeSQL: """
                    CREATE EXTENSION IF NOT EXISTS btree_gist;
                    CREATE TABLE booking (
                        room integer NOT NULL, during tstzrange NOT NULL, price numeric(10,2) NOT NULL,
                        CONSTRAINT booking_key PRIMARY KEY (room, during WITHOUT OVERLAPS),
                        CONSTRAINT booking_unique_price UNIQUE (price, during WITHOUT OVERLAPS),
                        CONSTRAINT price_positive CHECK (price > 0) NOT ENFORCED
                    );
                    CREATE TABLE booking_note (
                        room integer, during tstzrange, note text,
                        CONSTRAINT note_booking FOREIGN KEY (room, PERIOD during) REFERENCES booking (room, PERIOD during),
                        CONSTRAINT note_room FOREIGN KEY (room) REFERENCES shipment (id) NOT ENFORCED
                    );
                    """)
            }
            try await TestPostgres.withTemporaryDatabase { targetEndpoint in
                let target = try await PostgresDriver.connect(targetEndpoint)
                let outcome = try await SchemaRoundTrip.run(from: source, into: target)
                try await target.close()
                #expect(outcome.recreated == outcome.original)
                let recreatedDump = try await TestPostgres.schemaDump(targetEndpoint), originalDump = try await TestPostgres.schemaDump(sourceEndpoint)
                #expect(recreatedDump == originalDump)
                let shipment = try #require(outcome.recreated.table(named: QualifiedName(schema: "public", "shipment")))
                #expect(outcome.recreated.extendedStatistics.map(\.name) == [QualifiedName(schema: "public", "shipment_weights")])
                #expect(outcome.script.contains("CREATE STATISTICS public.shipment_weights"))
                #expect(shipment.column(named: "weight_kilograms")?.generated?.storage == (major >= 18 ? .virtual : .stored))
                if major >= 18 {
                    #expect(shipment.column(named: "weight_grams")?.notNullConstraintName == "weight_is_known")
                    #expect(shipment.column(named: "label")?.notNullConstraintName == nil)  // the name PostgreSQL chose
                    let odd = try #require(outcome.recreated.table(named: QualifiedName(schema: "public", "Odd Name")))
                    #expect(odd.column(named: "Mixed Case")?.notNullConstraintName == "the \"quoted\" one")
                    #expect(outcome.script.contains("CONSTRAINT weight_is_known NOT NULL"))
                    let booking = try #require(outcome.recreated.table(named: QualifiedName(schema: "public", "booking")))
                    #expect(booking.primaryKey?.withoutOverlaps == true)
                    #expect(booking.uniqueConstraints.map(\.withoutOverlaps) == [true])
                    #expect(booking.checkConstraints.first { $0.name == "price_positive" }.map { $0.isNotEnforced && $0.expression == "(price > (0)::numeric)" } == true)
                    let note = try #require(outcome.recreated.table(named: QualifiedName(schema: "public", "booking_note")))
                    #expect(note.foreignKeys.first { $0.name == "note_booking" }?.hasPeriod == true)
                    #expect(note.foreignKeys.first { $0.name == "note_room" }.map { $0.isNotEnforced && !$0.hasPeriod } == true)
                    #expect(outcome.script.contains("PRIMARY KEY (room, during WITHOUT OVERLAPS)"))
                    #expect(outcome.script.contains("FOREIGN KEY (room, PERIOD during) REFERENCES public.booking(room, PERIOD during)"))
                    // A table without these features encodes as it always did, and reads back.
                    let plain = String(decoding: try JSONEncoder().encode(shipment), as: UTF8.self)
                    #expect(!plain.contains("withoutOverlaps") && !plain.contains("isNotEnforced") && !plain.contains("hasPeriod"))
                    #expect(try JSONDecoder().decode(Table.self, from: Data(plain.utf8)) == shipment)
                    let temporal = try JSONEncoder().encode(note)
                    #expect(try JSONDecoder().decode(Table.self, from: temporal) == note)
                } else {
                    #expect(shipment.columns.allSatisfy { $0.notNullConstraintName == nil })
                }
            }
            try await source.close()
        }
    }
}

extension Postgres18FeatureTests {
    @Test("A file that drops a temporal key, a temporal UNIQUE and a NOT ENFORCED check gets a down that puts each back as it was; rolled back, the schema is the start (older servers: the plain key, UNIQUE and check)")
    func generatedDownRestoresPostgres18Constraints() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let url = DatabaseURL.postgres(endpoint)
                let temporal = try await DatabaseConnector.withDriver(url) { driver in
                    let major = try await driver.query(unsafeSQL: "SELECT current_setting('server_version_num')::int / 10000").first?.values[0].integerValue ?? 0
                    let overlaps = major >= 18 ? " WITHOUT OVERLAPS" : "", notEnforced = major >= 18 ? " NOT ENFORCED" : ""
                    try await driver.executeScript(unsafeSQL: """
                        CREATE EXTENSION IF NOT EXISTS btree_gist;
                        CREATE TABLE booking (room integer NOT NULL, during tstzrange NOT NULL, price numeric,
                            CONSTRAINT booking_key PRIMARY KEY (room, during\(overlaps)),
                            CONSTRAINT booking_price UNIQUE (price, during\(overlaps)),
                            CONSTRAINT price_positive CHECK (price > 0)\(notEnforced));
                        """)
                    return major >= 18
                }
                let folder = directory.path("m")
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try "ALTER TABLE booking DROP CONSTRAINT booking_key;\nALTER TABLE booking DROP CONSTRAINT booking_price;\nALTER TABLE booking DROP CONSTRAINT price_positive;\n"
                    .write(toFile: folder + "/1_drop.up.sql", atomically: true, encoding: .utf8)
                let before = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()).removingStatistics() }
                #expect(before.table(named: QualifiedName(schema: "public", "booking"))?.primaryKey?.withoutOverlaps == temporal)
                let planned = try await MigrationPlanning.planAll(directory: folder, database: url)
                guard case .rawSQL(let raw) = planned.first?.plan.migration.operations.first, let down = raw.effect?.generatedDown?.sql else {
                    Issue.record("no generated down")
                    return
                }
                // A plain key goes back online (its index built first); a temporal one in one step.
                #expect(down.contains(temporal ? "PRIMARY KEY (room, during WITHOUT OVERLAPS)" : "PRIMARY KEY USING INDEX booking_key"))
                #expect(down.contains("NOT ENFORCED") == temporal)
                _ = try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: folder)
                let (_, report) = try await MigrationRollback(url: url, settings: SQLCorpus.settings).rollback(nil)
                #expect(report.passed, "\(report.failures)")
                let after = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()).removingStatistics().removingGodwitHelpers() }
                #expect(after.differences(from: before).isEmpty, "\(after.differences(from: before))")
            }
        }
    }
}

@Suite("PostgreSQL inspection")
struct PostgresInspectionTests {
    @Test("Sakila: enum, domain, sequences, inheritance, views, functions, aggregate, triggers, rules, statistics")
    func sakila() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await PostgresSample.sakila.load(into: endpoint)
            let driver = try await PostgresDriver.connect(endpoint)
            try await driver.execute(unsafeSQL: "ANALYZE")
            let schema = try await driver.inspect(InspectionOptions(exactRowCounts: true))
            try await driver.close()
            let public_ = { (name: String) in QualifiedName(schema: "public", name) }

            #expect(schema.namespaces == [Namespace(name: "public", comment: "Standard public schema")])
            #expect(schema.enums == [EnumType(name: public_("mpaa_rating"), labels: ["G", "PG", "PG-13", "R", "NC-17"])])
            #expect(schema.domains == [
                Domain(
                    name: public_("year"), baseType: "integer",
                    checkConstraints: [CheckConstraint(name: "year_check", expression: "((VALUE >= 1901) AND (VALUE <= 2155))")]
                ),
            ])
            #expect(schema.tables.count == 21)
            #expect(schema.sequences.count == 13)
            let actorSequence = try #require(schema.sequences.first { $0.name == public_("actor_actor_id_seq") })
            #expect(actorSequence.ownedBy == nil)  // Sakila's dump never says OWNED BY
            #expect(actorSequence.dataType == "bigint")

            let film = try #require(schema.table(named: public_("film")))
            #expect(film.column(named: "rating")?.type == "public.mpaa_rating")
            #expect(film.column(named: "rating")?.defaultExpression == "'G'::public.mpaa_rating")
            #expect(film.column(named: "release_year")?.type == "public.year")
            #expect(film.column(named: "special_features")?.type == "text[]")
            #expect(film.indexes.first { $0.name == "film_fulltext_idx" }?.method == "gist")
            #expect(film.foreignKeys.first { $0.name == "film_language_id_fkey" }?.onUpdate == .cascade)
            #expect(film.foreignKeys.first { $0.name == "film_language_id_fkey" }?.onDelete == .restrict)
            #expect(film.statistics?.exactRowCount == 1000)
            #expect(film.statistics?.estimatedRowCount == 1000)

            let partition = try #require(schema.table(named: public_("payment_p2007_01")))
            #expect(partition.inheritsFrom == [public_("payment")])
            #expect(partition.columns.allSatisfy { $0.isInherited })
            #expect(partition.checkConstraints.map(\.name) == ["payment_p2007_01_payment_date_check"])

            #expect(schema.views.map(\.name.name) == [
                "actor_info", "customer_list", "film_list", "nicer_but_slower_film_list", "sales_by_film_category",
                "sales_by_store", "staff_list",
            ])
            #expect(schema.view(named: public_("actor_info"))?.dependencies.contains(public_("group_concat")) == true)
            let aggregate = try #require(schema.functions.first { $0.name == public_("group_concat") })
            #expect(aggregate.kind == .aggregate)
            #expect(aggregate.definition == "CREATE AGGREGATE public.group_concat(text) (\n    SFUNC = public._group_concat,\n    STYPE = text\n)")
            let rewards = try #require(schema.functions.first { $0.name == public_("rewards_report") })
            #expect(rewards.dependencies == [public_("customer")])
            #expect(rewards.language == "plpgsql")
            #expect(schema.triggers.count == 15)
            #expect(schema.triggers.first { $0.table == public_("film") && $0.name == "film_fulltext_trigger" } != nil)
            #expect(schema.rules.map(\.name) == (1...6).map { "payment_insert_p2007_0\($0)" })
        }
    }

    @Test("Features: schemas, identity, generated, collations, NOT VALID, exclusion, INCLUDE, partitions, matviews, procedures")
    func features() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await PostgresSample.features.load(into: endpoint)
            let driver = try await PostgresDriver.connect(endpoint)
            let schema = try await driver.inspect(InspectionOptions())
            try await driver.close()
            let billing = { (name: String) in QualifiedName(schema: "billing", name) }

            #expect(schema.namespaces.contains(Namespace(name: "billing", comment: "Invoices and payments")))
            #expect(schema.domains.first?.isNullable == false)
            #expect(schema.domains.first?.defaultExpression == "0")
            let sequence = try #require(schema.sequences.first { $0.name == billing("invoice_number") })
            #expect(sequence == SequenceDefinition(
                name: billing("invoice_number"), dataType: "integer", start: 1000, increment: 5, minValue: 1000,
                maxValue: 999_999, cache: 10, cycles: true,
                ownedBy: ColumnReference(table: billing("invoice"), column: "number"), comment: "Human invoice numbers"
            ))

            let customer = try #require(schema.table(named: billing("customer")))
            #expect(customer.comment == "Who pays")
            #expect(customer.column(named: "email")?.comment == "Where invoices go")
            #expect(customer.column(named: "name")?.collation == "pg_catalog.\"C\"")
            let identity = try #require(customer.column(named: "id")?.identity)
            #expect(identity.generation == .always)
            #expect(identity.sequence.start == 10)
            #expect(identity.sequence.increment == 2)
            // NULLS NOT DISTINCT is PostgreSQL 15's; an older server loads the plain constraint.
            let nullsNotDistinct = try await TestPostgres.serverVersionNumber(endpoint) >= 150_000
            #expect(customer.uniqueConstraints == [
                UniqueConstraint(name: "customer_email_key", columns: ["email"], deferrability: .deferrableInitiallyImmediate, areNullsDistinct: !nullsNotDistinct),
            ])
            let lowerName = try #require(customer.indexes.first { $0.name == "customer_lower_name" })
            #expect(lowerName.elements.first?.isExpression == true)
            #expect(lowerName.elements.first?.expression == "lower(name)")
            #expect(lowerName.elements.first?.operatorClass == "pg_catalog.text_pattern_ops")

            let invoice = try #require(schema.table(named: billing("invoice")))
            #expect(invoice.column(named: "id")?.identity?.generation == .byDefault)
            #expect(invoice.column(named: "tax")?.generated?.storage == .stored)
            #expect(invoice.column(named: "tax")?.defaultExpression == nil)
            #expect(invoice.checkConstraints.first { $0.name == "invoice_amount_sane" }?.isValidated == false)
            #expect(invoice.exclusionConstraints == [ExclusionConstraint(name: "invoice_period_excl", definition: "EXCLUDE USING gist (period WITH &&)")])
            let foreignKey = try #require(invoice.foreignKeys.first)
            #expect(foreignKey.deferrability == .deferrableInitiallyDeferred)
            #expect(foreignKey.onDelete == .setNull)
            let open = try #require(invoice.indexes.first { $0.name == "invoice_open" })
            #expect(open.elements.first == Index.Element(expression: "issued_on", order: .descending, nulls: .last))
            #expect(open.includedColumns == ["amount"])
            #expect(open.predicate == "(state <> 'paid'::billing.invoice_state)")
            #expect(open.comment == "Unpaid invoices, newest first")
            #expect(schema.triggers.first { $0.name == "invoice_touch_disabled" }?.isEnabled == false)

            let event = try #require(schema.table(named: QualifiedName(schema: "public", "event")))
            #expect(event.partitioning?.key == "RANGE (happened_at)")
            #expect(event.indexes.map(\.name) == ["event_payload"])
            let rest = try #require(schema.table(named: QualifiedName(schema: "public", "event_rest")))
            #expect(rest.partitionOf == Table.PartitionBound(parent: QualifiedName(schema: "public", "event"), bound: "DEFAULT"))
            #expect(rest.indexes.isEmpty)
            #expect(rest.primaryKey == nil)
            #expect(schema.table(named: QualifiedName(schema: "public", "scratch"))?.isUnlogged == true)

            let revenue = try #require(schema.view(named: billing("revenue")))
            #expect(revenue.isMaterialized)
            #expect(revenue.indexes.map(\.name) == ["revenue_customer"])
            #expect(schema.view(named: billing("unpaid_total"))?.dependencies == [billing("unpaid")])
            #expect(schema.functions.first { $0.name == billing("mark_paid") }?.kind == .procedure)
            #expect(schema.functions.first { $0.name == billing("touch") }?.comment == "Keeps issued_on current")
            #expect(schema.rules.map(\.name) == ["scratch_no_delete"])
        }
    }

    @Test("Only the asked schemas are read")
    func schemaFilter() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await PostgresSample.features.load(into: endpoint)
            let driver = try await PostgresDriver.connect(endpoint)
            let schema = try await driver.inspect(InspectionOptions(schemas: ["billing"]))
            try await driver.close()
            #expect(!schema.tables.isEmpty)
            #expect(schema.tables.allSatisfy { $0.name.schema == "billing" })
            #expect(schema.namespaces.map(\.name) == ["billing"])
        }
    }
}
