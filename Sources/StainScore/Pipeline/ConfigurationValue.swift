/// One value read from a configuration file (TOML or JSON), with the line it was written on.
public struct ConfigurationNode: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case float(Double)
        case bool(Bool)
        case array([ConfigurationNode])
        case table(ConfigurationTable)
        /// JSON `null` (TOML has none): "unset", for optional parameters.
        case null
    }

    public var value: Value
    /// 1-based line of the key (TOML); nil for JSON.
    public var line: Int?

    public init(_ value: Value, line: Int? = nil) {
        self.value = value
        self.line = line
    }

    /// A short name of the value's type, for messages.
    public var typeName: String {
        switch value {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a floating-point number"
        case .bool: "a boolean"
        case .array: "an array"
        case .table: "a table"
        case .null: "null"
        }
    }

    /// The number, for integers and floats.
    public var number: Double? {
        switch value {
        case .integer(let i): Double(i)
        case .float(let d): d
        default: nil
        }
    }
}

/// A table of keys in the order they were first written (so errors name the first problem in
/// reading order).
public struct ConfigurationTable: Sendable, Equatable {
    public private(set) var keys: [String] = []
    public private(set) var entries: [String: ConfigurationNode] = [:]

    public init() {}

    public subscript(key: String) -> ConfigurationNode? {
        get { entries[key] }
        set {
            if let newValue {
                if entries.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if entries.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Key–node pairs in reading order.
    public var ordered: [(key: String, node: ConfigurationNode)] { keys.map { ($0, entries[$0]!) } }

    public var isEmpty: Bool { keys.isEmpty }
}
