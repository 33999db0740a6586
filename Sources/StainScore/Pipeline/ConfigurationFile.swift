import Foundation

/// Analysis parameters from a configuration file (TOML or JSON), laid over the defaults.
///
/// Every key of `ConfigurationSchema.analysisParameters` may be set; tables are the nested
/// parameter groups (`[nuclei]`, `[rules.cells]`, …). An unknown key is an error naming it (and
/// the closest known key), so a typo never silently leaves a default in force. Values are
/// type-checked (integers, numbers, booleans, rule-set names, vectors of fixed length) and must
/// be finite. A top-level `[calibration]` table (the record `ihc-score calibrate` writes: controls,
/// labels, fit, version) sets no parameter and is skipped. `defaultsTOML()` prints every parameter with its explanation; loading that text
/// gives back exactly the defaults.
public enum ConfigurationFile {
    public enum Format: String, Sendable, CaseIterable {
        case toml
        case json
    }

    /// The format of a file: by extension (`.toml`, `.json`), else by its first character.
    public static func format(of path: String, text: String) -> Format {
        let lower = path.lowercased()
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".toml") { return .toml }
        return text.drop(while: { $0.isWhitespace }).first == "{" ? .json : .toml
    }

    /// Reads `path` and applies it over `base`.
    public static func load(_ path: String, over base: AnalysisParameters = AnalysisParameters()) throws -> AnalysisParameters {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw ConfigurationError(path: path, message: !exists ? "no such file" : isDirectory.boolValue ? "is a folder, not a file" : "cannot read file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigurationError(path: path, message: "not UTF-8 text") }
        let table = try parse(text, path: path, format: format(of: path, text: text))
        return try apply(table, to: base, path: path)
    }

    /// Parses configuration text into a table of nodes (no checking against the schema yet).
    public static func parse(_ text: String, path: String, format: Format) throws -> ConfigurationTable {
        switch format {
        case .toml:
            return try TOMLParser.parse(text, path: path)
        case .json:
            let root: JSONNode
            do {
                root = try JSONDecoder().decode(JSONNode.self, from: Data(text.utf8))
            } catch {
                throw ConfigurationError(path: path, message: "not valid JSON: \(PredictionReader.describe(error))")
            }
            guard case .table(let table) = root.node.value else {
                throw ConfigurationError(path: path, message: "a JSON configuration must be an object of parameters")
            }
            return table
        }
    }

    /// Checks `table` against the schema and lays its values over `base`.
    public static func apply(_ table: ConfigurationTable, to base: AnalysisParameters, path: String) throws -> AnalysisParameters {
        let schema = ConfigurationSchema.analysisParameters
        var assignments: [(path: [String], value: ConfigurationNode.Value?)] = []
        func walk(_ table: ConfigurationTable, _ prefix: [String]) throws {
            for (key, node) in table.ordered {
                let here = prefix + [key]
                let name = here.joined(separator: ".")
                if here == [CalibrationFile.metadataTable] {
                    // Provenance written by `ihc-score calibrate`: read by no parameter, checked to be a table.
                    guard case .table = node.value else {
                        throw ConfigurationError(path: path, line: node.line,
                                                 message: "'\(name)' is the calibration record ([\(name)]), not \(node.typeName)")
                    }
                    continue
                }
                if schema.isTable(here) {
                    guard case .table(let inner) = node.value else {
                        throw ConfigurationError(path: path, line: node.line,
                                                 message: "'\(name)' is a table of parameters ([\(name)]), not \(node.typeName)")
                    }
                    try walk(inner, here)
                } else if let parameter = schema.key(here) {
                    assignments.append((here, try convert(node, for: parameter, path: path)))
                } else {
                    var message = "unknown key '\(name)'"
                    if let near = closest(key, among: schema.names(under: prefix)) {
                        message += "; did you mean '\((prefix + [near]).joined(separator: "."))'?"
                    } else {
                        let place = prefix.isEmpty ? "at the top level" : "in [\(prefix.joined(separator: "."))]"
                        message += "; known \(place): \(schema.names(under: prefix).joined(separator: ", "))"
                    }
                    throw ConfigurationError(path: path, line: node.line, message: message)
                }
            }
        }
        try walk(table, [])
        guard !assignments.isEmpty else { return base }

        // Lay the values over the JSON encoding of `base`, then decode: the Codable conformance
        // stays the one definition of how parameters are spelled.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var tree: ConfigurationNode
        do {
            tree = try JSONDecoder().decode(JSONNode.self, from: try encoder.encode(base)).node
        } catch {
            throw ConfigurationError(path: path, message: "internal error: cannot encode the parameters (\(error))")
        }
        for assignment in assignments { set(&tree, at: assignment.path[...], to: assignment.value) }
        var parameters: AnalysisParameters
        do {
            parameters = try JSONDecoder().decode(AnalysisParameters.self, from: Data(json(tree).utf8))
        } catch {
            throw ConfigurationError(path: path, message: "cannot apply the configuration: \(PredictionReader.describe(error))")
        }
        parameters.normaliseStains()
        if let problem = parameters.problems().first {
            let line = assignments.first { $0.path.joined(separator: ".") == problem.key }.flatMap { a in
                lineOf(a.path, in: table)
            }
            throw ConfigurationError(path: path, line: line, message: "'\(problem.key)': \(problem.message)")
        }
        return parameters
    }

    // MARK: Printing the defaults

    /// Every parameter with its explanation and default, as TOML; optional parameters that are
    /// unset by default are shown commented out with an example value.
    public static func defaultsTOML() -> String {
        let schema = ConfigurationSchema.analysisParameters
        var out: [String] = [
            "# ihc-score analysis parameters — every value below is the default (ihc-score \(StainScoreVersion.version)).",
            "# Written by `ihc-score config --print-defaults`. Use with `ihc-score score --config FILE`:",
            "# values in the file replace the defaults, and options given on the command line replace both.",
            "# Keep only the lines you change, if you like. Unknown keys are an error. The names are those of",
            "# report.json's \"parameters\", so a JSON file with the same structure works too.",
        ]
        func emit(_ key: ConfigurationSchema.Key) {
            out.append(contentsOf: comment(ConfigurationDocs.text[key.dottedName] ?? "(undocumented)"))
            if case .string(let allowed?) = key.type { out.append("# One of: " + allowed.joined(separator: ", ") + ".") }
            let name = TOMLSpelling.key(key.path.last!)
            if let value = key.defaultValue {
                out.append("\(name) = \(TOMLSpelling.value(value))")
            } else {
                out.append("# \(name) = \(ConfigurationDocs.examples[key.dottedName] ?? "…")")
            }
        }
        for key in schema.keys where key.path.count == 1 {
            out.append("")
            emit(key)
        }
        for table in schema.tables {
            out.append("")
            out.append("")
            out.append(contentsOf: comment(ConfigurationDocs.text[table.joined(separator: ".")] ?? "(undocumented)"))
            out.append("[" + table.map(TOMLSpelling.key).joined(separator: ".") + "]")
            for key in schema.keys where Array(key.path.dropLast()) == table {
                out.append("")
                emit(key)
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The defaults as JSON (the `parameters` block of `report.json`).
    public static func defaultsJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(AnalysisParameters())) ?? Data(), as: UTF8.self) + "\n"
    }

    // MARK: Internals

    static func comment(_ text: String, width: Int = 96) -> [String] {
        var lines: [String] = []
        var line = "#"
        for word in text.split(separator: " ") {
            if line.count + 1 + word.count > width, line != "#" {
                lines.append(line)
                line = "#"
            }
            line += " " + word
        }
        lines.append(line)
        return lines
    }

    static func convert(_ node: ConfigurationNode, for key: ConfigurationSchema.Key, path: String) throws -> ConfigurationNode.Value? {
        let name = key.dottedName
        func wrong() -> ConfigurationError {
            ConfigurationError(path: path, line: node.line, message: "'\(name)' must be \(key.type), not \(node.typeName)")
        }
        func finite(_ d: Double) throws -> Double {
            guard d.isFinite else { throw ConfigurationError(path: path, line: node.line, message: "'\(name)' must be a finite number") }
            return d
        }
        if case .null = node.value {
            guard key.optional else {
                throw ConfigurationError(path: path, line: node.line, message: "'\(name)' cannot be unset (null); it must be \(key.type)")
            }
            return nil
        }
        switch key.type {
        case .double:
            guard let d = node.number else { throw wrong() }
            return .float(try finite(d))
        case .integer:
            guard case .integer = node.value else { throw wrong() }
            return node.value
        case .bool:
            guard case .bool = node.value else { throw wrong() }
            return node.value
        case .string(let allowed):
            guard case .string(let s) = node.value else { throw wrong() }
            if let allowed, !allowed.contains(s) {
                throw ConfigurationError(path: path, line: node.line,
                                         message: "'\(name)' is \"\(s)\", which is not \(key.type)")
            }
            return node.value
        case .numbers(let count):
            guard case .array(let items) = node.value else { throw wrong() }
            if let count, items.count != count {
                throw ConfigurationError(path: path, line: node.line, message: "'\(name)' must have \(count) numbers, not \(items.count)")
            }
            var values: [ConfigurationNode] = []
            for item in items {
                guard let d = item.number else { throw wrong() }
                values.append(ConfigurationNode(.float(try finite(d))))
            }
            return .array(values)
        case .range:
            guard case .array(let items) = node.value, items.count == 2, let lo = items[0].number, let hi = items[1].number else {
                throw wrong()
            }
            guard try finite(lo) <= (try finite(hi)) else {
                throw ConfigurationError(path: path, line: node.line, message: "'\(name)' must be [low, high] with low ≤ high")
            }
            return .array([ConfigurationNode(.float(lo)), ConfigurationNode(.float(hi))])
        case .unsupported:
            throw ConfigurationError(path: path, line: node.line, message: "'\(name)' is \(key.type)")
        }
    }

    /// Sets (or, for nil, removes) the value at `path` in a tree of tables.
    static func set(_ node: inout ConfigurationNode, at path: ArraySlice<String>, to value: ConfigurationNode.Value?) {
        guard let head = path.first, case .table(var table) = node.value else { return }
        if path.count == 1 {
            table[head] = value.map { ConfigurationNode($0) }
        } else {
            var child = table[head] ?? ConfigurationNode(.table(ConfigurationTable()))
            set(&child, at: path.dropFirst(), to: value)
            table[head] = child
        }
        node.value = .table(table)
    }

    static func lineOf(_ path: [String], in table: ConfigurationTable) -> Int? {
        guard let head = path.first, let node = table[head] else { return nil }
        if path.count == 1 { return node.line }
        guard case .table(let inner) = node.value else { return node.line }
        return lineOf(Array(path.dropFirst()), in: inner)
    }

    /// JSON text of a node tree (numbers in Swift's shortest round-trip spelling).
    static func json(_ node: ConfigurationNode) -> String {
        switch node.value {
        case .string(let s): return JSONText.string(s)
        case .integer(let i): return String(i)
        case .float(let d): return d.description
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items): return "[" + items.map(json).joined(separator: ",") + "]"
        case .table(let t): return "{" + t.ordered.map { JSONText.string($0.key) + ":" + json($0.node) }.joined(separator: ",") + "}"
        }
    }

    /// The closest name within a small edit distance, for "did you mean" hints.
    static func closest(_ word: String, among names: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var previous = Array(0...b.count)
            for (i, ca) in a.enumerated() {
                var row = [i + 1]
                for (j, cb) in b.enumerated() {
                    let deletion: Int = previous[j + 1] + 1
                    let insertion: Int = row[j] + 1
                    let substitution: Int = previous[j] + (ca == cb ? 0 : 1)
                    row.append(Swift.min(deletion, insertion, substitution))
                }
                previous = row
            }
            return previous[b.count]
        }
        let w = Array(word.lowercased())
        var best: (name: String, distance: Int)?
        for name in names.sorted() {
            let d = distance(w, Array(name.lowercased()))
            if best == nil || d < best!.distance { best = (name, d) }
        }
        guard let best, best.distance <= max(2, w.count / 3) else { return nil }
        return best.name
    }
}

/// How TOML spells keys and values when the defaults are printed.
enum TOMLSpelling {
    static func key(_ name: String) -> String {
        name.utf8.allSatisfy({ TOMLKeyCharacter.isBare($0) }) && !name.isEmpty ? name : JSONText.string(name)
    }

    static func value(_ value: ConfigurationNode.Value) -> String {
        switch value {
        case .string(let s): return JSONText.string(s)
        case .integer(let i): return String(i)
        case .float(let d): return d.isNaN ? "nan" : d.isInfinite ? (d < 0 ? "-inf" : "inf") : d.description
        case .bool(let b): return b ? "true" : "false"
        case .null: return "\"\""
        case .array(let items): return "[" + items.map { Self.value($0.value) }.joined(separator: ", ") + "]"
        case .table: return "{}"
        }
    }
}

enum TOMLKeyCharacter {
    static func isBare(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 45
    }
}

/// JSON string literals (also valid TOML basic strings for the characters used here).
enum JSONText {
    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Any JSON value, read into configuration nodes (objects' keys sorted: JSON objects are unordered).
struct JSONNode: Decodable {
    let node: ConfigurationNode

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            node = ConfigurationNode(.null)
        } else if let b = try? c.decode(Bool.self) {
            node = ConfigurationNode(.bool(b))
        } else if let i = try? c.decode(Int.self) {
            node = ConfigurationNode(.integer(i))
        } else if let d = try? c.decode(Double.self) {
            node = ConfigurationNode(.float(d))
        } else if let s = try? c.decode(String.self) {
            node = ConfigurationNode(.string(s))
        } else if let a = try? c.decode([JSONNode].self) {
            node = ConfigurationNode(.array(a.map(\.node)))
        } else {
            let o = try c.decode([String: JSONNode].self)
            var table = ConfigurationTable()
            for key in o.keys.sorted() { table[key] = o[key]!.node }
            node = ConfigurationNode(.table(table))
        }
    }
}
