/// A flag of the schema model that documents written before it existed leave out (stored
/// plans, `inspect --format json` files): it reads as false when missing, and is written only
/// when true, so a model without the feature encodes as it always did.
@propertyWrapper
public struct FalseUnlessPresent: Hashable, Codable, Sendable {
    public var wrappedValue: Bool

    public init(wrappedValue: Bool) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        wrappedValue = try decoder.singleValueContainer().decode(Bool.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

extension KeyedDecodingContainer {
    /// A missing ``FalseUnlessPresent`` flag is false.
    public func decode(_ type: FalseUnlessPresent.Type, forKey key: Key) throws -> FalseUnlessPresent {
        try decodeIfPresent(type, forKey: key) ?? FalseUnlessPresent(wrappedValue: false)
    }
}

extension KeyedEncodingContainer {
    /// A false ``FalseUnlessPresent`` flag is left out.
    public mutating func encode(_ value: FalseUnlessPresent, forKey key: Key) throws {
        if value.wrappedValue { try encode(true, forKey: key) }
    }
}
