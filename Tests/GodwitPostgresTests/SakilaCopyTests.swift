import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// The bundled Sakila sample (enums, a domain, arrays, tsvector, a cycle of foreign keys,
/// inherited partitions) moves to SQLite and to another PostgreSQL database and verifies equal;
/// a changed value is found by key.
@Suite("Sakila copied and verified")
struct SakilaCopyTests {
    @Test("Sakila: PostgreSQL → SQLite and PostgreSQL → PostgreSQL copy every row (16,049 payments once), verify passes, and a tampered film is named")
    func sakila() async throws {
        try await TestPostgres.withTemporaryDatabase { sourceEndpoint in
            try await TestPostgres.withTemporaryDatabase { targetEndpoint in
                try await TestPostgres.load(Fixtures.sakilaSchema, into: sourceEndpoint)
                try await TestPostgres.load(Fixtures.sakilaData, into: sourceEndpoint)
                let directory = try TemporaryDirectory()
                defer { directory.remove() }
                let source = DatabaseURL.postgres(sourceEndpoint)
                for target in [try DatabaseURL(parsing: "sqlite:" + directory.path("sakila.db")), DatabaseURL.postgres(targetEndpoint)] {
                    let summary = try await DataCopy(source: source, target: target).run()
                    #expect(summary.notAdded.isEmpty, "\(target.engine): \(summary.notAdded)")
                    #expect(summary.tables.first { $0.source == "public.payment" }?.rows == 16_049, "\(summary.text())")
                    #expect(summary.rows == 46_273, "\(summary.text())")
                    let report = try await CrossVerification(source: source, target: target).run()
                    #expect(report.passes, "\(target.engine): \(report.markdown())")

                    try await DatabaseConnector.withDriver(target) { driver in
                        _ = try await driver.execute(unsafeSQL: target.engine == .sqlite
                            ? #"UPDATE film SET rating = 'NC-17', special_features = '["Commentaries"]' WHERE film_id = 7"#
                            : "UPDATE film SET rating = 'NC-17', special_features = '{Commentaries}' WHERE film_id = 7")
                    }
                    let tampered = try await CrossVerification(source: source, target: target).run()
                    let film = tampered.tables.first { $0.source == "public.film" }
                    #expect(film?.modifiedRows.map(\.key) == ["(7)"] && film?.modifiedRows.first?.columns == ["rating", "special_features"],
                            "\(target.engine): \(tampered.markdown())")
                }
            }
        }
    }
}
