import Foundation

/// The schema model as JSON: stable key order, so equal schemas give equal bytes.
public enum SchemaJSON {
    /// Encodes a schema as pretty, key-sorted JSON.
    public static func encode(_ schema: Schema) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(schema), as: UTF8.self)
    }

    /// Decodes a schema written by ``encode(_:)``.
    public static func decode(_ text: String) throws -> Schema {
        try JSONDecoder().decode(Schema.self, from: Data(text.utf8))
    }
}
