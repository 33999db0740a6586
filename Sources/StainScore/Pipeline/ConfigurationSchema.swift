/// The keys a configuration file may set: every stored property of `AnalysisParameters`, nested
/// structs as tables, found by reflection over the defaults so that a parameter added to the
/// code is configurable (and printed by `config --print-defaults`) without a second list to keep
/// in step. Only the explanations are written by hand (`ConfigurationDocs`); a test checks that
/// every key has one.
///
/// Keys are the property names, which are also the `Codable` names used in `report.json`'s
/// `parameters`, so a block copied from a report is a valid JSON configuration.
public struct ConfigurationSchema: Sendable {
    /// The type of a settable value.
    public enum ValueType: Sendable, Equatable, CustomStringConvertible {
        case double
        case integer
        case bool
        /// A string; `allowed` lists the accepted spellings of an enumeration.
        case string(allowed: [String]?)
        /// An array of numbers; `count` is fixed for vectors (3 for RGB), nil for free lengths.
        case numbers(count: Int?)
        /// `[low, high]` with low ≤ high (a `ClosedRange<Double>`).
        case range
        /// A type the reflection does not know how to read from a file.
        case unsupported(String)

        public var description: String {
            switch self {
            case .double: "a number"
            case .integer: "an integer"
            case .bool: "true or false"
            case .string(let allowed): allowed.map { "one of " + $0.map { "\"\($0)\"" }.joined(separator: ", ") } ?? "a string"
            case .numbers(let count): count.map { "an array of \($0) numbers" } ?? "an array of numbers"
            case .range: "an array [low, high] of two numbers, low ≤ high"
            case .unsupported(let name): "a value of type \(name), which a configuration file cannot set"
            }
        }
    }

    /// One settable parameter.
    public struct Key: Sendable, Equatable {
        /// Table names then the key, e.g. `["nuclei", "minimumAreaMicrons2"]`.
        public var path: [String]
        public var type: ValueType
        /// Optional parameters may be left unset (nil); files unset them by omitting the key
        /// (TOML) or writing `null` (JSON).
        public var optional: Bool
        /// The default, as a file would spell it; nil for an unset optional.
        public var defaultValue: ConfigurationNode.Value?

        public var dottedName: String { path.joined(separator: ".") }
    }

    /// Every parameter, in declaration order (depth first).
    public let keys: [Key]
    /// Every table (nested struct), in declaration order, e.g. `["rules"]`, `["rules", "cells"]`.
    public let tables: [[String]]

    /// The schema of `AnalysisParameters`, read from its defaults.
    public static let analysisParameters = ConfigurationSchema(reflecting: AnalysisParameters())

    public init(reflecting value: Any) {
        var keys: [Key] = []
        var tables: [[String]] = []
        Self.walk(value, path: [], keys: &keys, tables: &tables)
        self.keys = keys
        self.tables = tables
    }

    /// The key at `path`, if it is a parameter.
    public func key(_ path: [String]) -> Key? { keys.first { $0.path == path } }

    /// Whether `path` names a table.
    public func isTable(_ path: [String]) -> Bool { tables.contains(path) }

    /// The names directly under table `path` (keys and tables), for "did you mean" suggestions.
    public func names(under path: [String]) -> [String] {
        var names = keys.filter { $0.path.count == path.count + 1 && Array($0.path.dropLast()) == path }.map { $0.path.last! }
        names += tables.filter { $0.count == path.count + 1 && Array($0.dropLast()) == path }.map { $0.last! }
        return names
    }

    // MARK: Reflection

    private static func walk(_ value: Any, path: [String], keys: inout [Key], tables: inout [[String]]) {
        for child in Mirror(reflecting: value).children {
            guard let label = child.label else { continue }
            let here = path + [label]
            if let leaf = leaf(child.value) {
                keys.append(Key(path: here, type: leaf.type, optional: leaf.optional, defaultValue: leaf.value))
            } else if Mirror(reflecting: child.value).displayStyle == .struct {
                tables.append(here)
                walk(child.value, path: here, keys: &keys, tables: &tables)
            } else {
                keys.append(Key(path: here, type: .unsupported("\(type(of: child.value))"), optional: false, defaultValue: nil))
            }
        }
    }

    private static func leaf(_ value: Any) -> (type: ValueType, optional: Bool, value: ConfigurationNode.Value?)? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            if let wrapped = mirror.children.first?.value {
                guard let inner = leaf(wrapped) else { return nil }
                return (inner.type, true, inner.value)
            }
            // nil: the wrapped type decides.
            switch ObjectIdentifier(type(of: value)) {
            case ObjectIdentifier(Double?.self): return (.double, true, nil)
            case ObjectIdentifier(Int?.self): return (.integer, true, nil)
            case ObjectIdentifier(Bool?.self): return (.bool, true, nil)
            case ObjectIdentifier(String?.self): return (.string(allowed: nil), true, nil)
            case ObjectIdentifier([Double]?.self): return (.numbers(count: nil), true, nil)
            case ObjectIdentifier(ClosedRange<Double>?.self): return (.range, true, nil)
            default: return (.unsupported("\(type(of: value))"), true, nil)
            }
        }
        switch value {
        case let v as Bool: return (.bool, false, .bool(v))
        case let v as Int: return (.integer, false, .integer(v))
        case let v as Double: return (.double, false, .float(v))
        case let v as String: return (.string(allowed: nil), false, .string(v))
        case let v as any ConfigurationEnumeration:
            return (.string(allowed: type(of: v).configurationValues), false, .string(v.configurationValue))
        case let v as ClosedRange<Double>:
            return (.range, false, .array([ConfigurationNode(.float(v.lowerBound)), ConfigurationNode(.float(v.upperBound))]))
        case let v as SIMD3<Double>:
            return (.numbers(count: 3), false, .array([v.x, v.y, v.z].map { ConfigurationNode(.float($0)) }))
        case let v as [Double]:
            return (.numbers(count: nil), false, .array(v.map { ConfigurationNode(.float($0)) }))
        default:
            return nil
        }
    }
}

/// An enumeration a configuration file names by a string (e.g. the rule set).
public protocol ConfigurationEnumeration {
    /// Every accepted spelling, in the order shown to users.
    static var configurationValues: [String] { get }
    /// This value's spelling.
    var configurationValue: String { get }
}

extension RuleSet: ConfigurationEnumeration {
    public static var configurationValues: [String] { allCases.map(\.rawValue) }
    public var configurationValue: String { rawValue }
}
