import Foundation
import Synchronization

/// Writes schemas as JSON that decodes to the same ``Schema`` as `JSONEncoder`'s, keeping each
/// object's JSON from the schemas written before. A run that stores two schemas per migration
/// (the plan's start and target) for hundreds of migrations, each changing a few of hundreds of
/// objects, then encodes only the objects that changed and copies the rest: an object is reused
/// only when it equals the one its JSON was written from.
public final class SchemaJSONCache: Sendable {
    /// Each object's last JSONs, by kind and name, with the objects they were written from: two
    /// forms each, newest first, since a plan's start (read, with live sizes) and its target
    /// (planned) hold the same table with different statistics, and plans alternate them.
    private let written = Mutex<[String: [Entry]]>([:])
    private static let formsKept = 2

    private struct Entry: @unchecked Sendable {
        // Model values are immutable Sendable structs; the box only hides their type.
        let object: any Hashable
        let json: String
    }

    public init() {}

    /// The schema as JSON.
    public func json(of schema: Schema) throws -> String {
        var members: [String] = []
        for key in Schema.CodingKeys.allCases {
            let value: String
            switch key {
            case .engine: value = try Self.encoded(schema.engine)
            case .namespaces: value = try array(schema.namespaces, key) { $0.name }
            case .extensions: value = try array(schema.extensions, key) { $0.name }
            case .enums: value = try array(schema.enums, key) { $0.name.description }
            case .domains: value = try array(schema.domains, key) { $0.name.description }
            case .sequences: value = try array(schema.sequences, key) { $0.name.description }
            case .tables: value = try array(schema.tables, key) { $0.name.description }
            case .views: value = try array(schema.views, key) { $0.name.description }
            case .functions: value = try array(schema.functions, key) { $0.signature }
            case .triggers: value = try array(schema.triggers, key) { "\($0.table).\($0.name)" }
            case .rules: value = try array(schema.rules, key) { "\($0.table).\($0.name)" }
            case .extendedStatistics: value = try array(schema.extendedStatistics, key) { $0.name.description }
            case .compositeTypes: value = try array(schema.compositeTypes, key) { $0.name.description }
            }
            members.append("\"\(key.stringValue)\":\(value)")
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    private func array<Object: Encodable & Hashable & Sendable>(_ objects: [Object], _ key: Schema.CodingKeys,
                                                               name: (Object) -> String) throws -> String {
        var parts: [String] = []
        parts.reserveCapacity(objects.count)
        for object in objects {
            let id = key.stringValue + "/" + name(object)
            if let known = written.withLock({ $0[id] })?.first(where: { ($0.object as? Object) == object }) {
                parts.append(known.json)
                continue
            }
            let json = try Self.encoded(object)
            written.withLock { $0[id] = [Entry(object: object, json: json)] + ($0[id] ?? []).prefix(Self.formsKept - 1) }
            parts.append(json)
        }
        return "[" + parts.joined(separator: ",") + "]"
    }

    private static func encoded<Value: Encodable>(_ value: Value) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}
