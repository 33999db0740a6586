/// A parser for the subset of TOML 1.0 that configuration files need.
///
/// Supported: comments (`#`), `[table]` and `[dotted.table]` headers, `key = value` with bare,
/// quoted and dotted keys; values: basic strings (`"…"` with `\" \\ \b \t \n \f \r \uXXXX
/// \UXXXXXXXX` escapes), literal strings (`'…'`), decimal integers (`1_000`, signs), floats
/// (`0.5`, `1e-3`, `inf`, `nan`), booleans, and arrays (nested, spanning lines, trailing comma,
/// comments inside). Refused with a clear message rather than misread: inline tables, arrays of
/// tables, multi-line strings, dates and times, hexadecimal/octal/binary integers. Duplicate keys
/// and tables defined twice are errors. Every error names the file and the line.
///
/// Written here rather than taken as a dependency: the subset is ~250 lines, the project can
/// give errors in its own words, and nothing outside the package is needed to build.
public enum TOMLParser {
    /// Parses `text`; `path` is used in error messages only.
    public static func parse(_ text: String, path: String) throws(ConfigurationError) -> ConfigurationTable {
        var parser = Parser(bytes: Array(text.utf8), path: path)
        try parser.document()
        return parser.root
    }

    private struct Parser {
        let bytes: [UInt8]
        let path: String
        var i = 0
        var line = 1
        var root = ConfigurationTable()
        /// The table that key/value lines go to.
        var current: [String] = []
        /// Tables given a `[header]`, with the line of that header.
        var headers: [[String]: Int] = [:]

        init(bytes: [UInt8], path: String) {
            self.bytes = bytes
            self.path = path
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        }

        func fail(_ message: String, line: Int? = nil) -> ConfigurationError {
            ConfigurationError(path: path, line: line ?? self.line, message: message)
        }

        var atEnd: Bool { i >= bytes.count }
        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }
        func peek(_ offset: Int) -> UInt8? { i + offset < bytes.count ? bytes[i + offset] : nil }

        // MARK: Document

        mutating func document() throws(ConfigurationError) {
            while true {
                skipBlankLines()
                guard let c = peek else { return }
                if c == UInt8(ascii: "[") {
                    try header()
                } else {
                    try keyValue()
                }
                try endOfLine()
            }
        }

        /// Skips spaces, tabs, comments and line ends.
        mutating func skipBlankLines() {
            while let c = peek {
                if c == 32 || c == 9 || c == 13 { i += 1 }
                else if c == 10 { i += 1; line += 1 }
                else if c == UInt8(ascii: "#") { skipComment() }
                else { return }
            }
        }

        mutating func skipSpaces() {
            while let c = peek, c == 32 || c == 9 { i += 1 }
        }

        mutating func skipComment() {
            while let c = peek, c != 10 { i += 1 }
        }

        /// After a header or a value: only spaces and a comment may follow on the line.
        mutating func endOfLine() throws(ConfigurationError) {
            skipSpaces()
            if peek == UInt8(ascii: "#") { skipComment() }
            if peek == 13 { i += 1 }
            guard let c = peek else { return }
            guard c == 10 else { throw fail("unexpected '\(Self.show(c))' after the value; one key = value per line") }
            i += 1
            line += 1
        }

        // MARK: Headers and keys

        mutating func header() throws(ConfigurationError) {
            let headerLine = line
            i += 1
            if peek == UInt8(ascii: "[") { throw fail("arrays of tables ([[…]]) are not supported") }
            skipSpaces()
            let path = try key()
            skipSpaces()
            guard peek == UInt8(ascii: "]") else { throw fail("expected ']' to close the table header") }
            i += 1
            let name = path.joined(separator: ".")
            if let first = headers[path] { throw fail("table [\(name)] is defined twice (first on line \(first))") }
            headers[path] = headerLine
            var tree = root
            try ensureTable(path, in: &tree, prefix: [], line: headerLine)
            root = tree
            current = path
        }

        func ensureTable(_ path: [String], in table: inout ConfigurationTable, prefix: [String],
                                  line: Int) throws(ConfigurationError) {
            guard let head = path.first else { return }
            let here = prefix + [head]
            var child: ConfigurationTable
            if let existing = table[head] {
                guard case .table(let t) = existing.value else {
                    throw fail("'\(here.joined(separator: "."))' is already a value (line \(existing.line ?? 0)), not a table")
                }
                child = t
            } else {
                child = ConfigurationTable()
            }
            try ensureTable(Array(path.dropFirst()), in: &child, prefix: here, line: line)
            let keepLine = table[head]?.line ?? line
            table[head] = ConfigurationNode(.table(child), line: keepLine)
        }

        mutating func keyValue() throws(ConfigurationError) {
            let keyLine = line
            let path = try key()
            skipSpaces()
            guard peek == UInt8(ascii: "=") else {
                throw fail("expected '=' after the key '\(path.joined(separator: "."))'")
            }
            i += 1
            skipSpaces()
            let node = try value()
            var tree = root
            try insert(current + path, node: ConfigurationNode(node.value, line: keyLine), in: &tree, prefix: [])
            root = tree
        }

        func insert(_ path: [String], node: ConfigurationNode, in table: inout ConfigurationTable,
                             prefix: [String]) throws(ConfigurationError) {
            let head = path[0]
            let here = prefix + [head]
            if path.count == 1 {
                if let existing = table[head] {
                    throw fail("'\(here.joined(separator: "."))' is defined twice (first on line \(existing.line ?? 0))")
                }
                table[head] = node
                return
            }
            var child = ConfigurationTable()
            if let existing = table[head] {
                guard case .table(let t) = existing.value else {
                    throw fail("'\(here.joined(separator: "."))' is already a value (line \(existing.line ?? 0)), not a table")
                }
                child = t
            }
            try insert(Array(path.dropFirst()), node: node, in: &child, prefix: here)
            table[head] = ConfigurationNode(.table(child), line: table[head]?.line ?? node.line)
        }

        /// A possibly dotted key: bare (`A-Za-z0-9_-`) or quoted parts separated by dots.
        mutating func key() throws(ConfigurationError) -> [String] {
            var parts: [String] = []
            while true {
                skipSpaces()
                guard let c = peek else { throw fail("expected a key") }
                if c == UInt8(ascii: "\"") {
                    parts.append(try basicString())
                } else if c == UInt8(ascii: "'") {
                    parts.append(try literalString())
                } else {
                    let start = i
                    while let c = peek, Self.isBareKey(c) { i += 1 }
                    guard i > start else { throw fail("expected a key, found '\(Self.show(c))'") }
                    parts.append(String(decoding: bytes[start..<i], as: UTF8.self))
                }
                skipSpaces()
                guard peek == UInt8(ascii: ".") else { return parts }
                i += 1
            }
        }

        static func isBareKey(_ c: UInt8) -> Bool {
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 45
        }

        // MARK: Values

        mutating func value() throws(ConfigurationError) -> ConfigurationNode {
            let valueLine = line
            guard let c = peek, c != 10, c != 13, c != UInt8(ascii: "#") else { throw fail("expected a value after '='") }
            switch c {
            case UInt8(ascii: "\""):
                if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") { throw fail("multi-line strings are not supported") }
                return ConfigurationNode(.string(try basicString()), line: valueLine)
            case UInt8(ascii: "'"):
                if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") { throw fail("multi-line strings are not supported") }
                return ConfigurationNode(.string(try literalString()), line: valueLine)
            case UInt8(ascii: "["):
                return ConfigurationNode(.array(try array()), line: valueLine)
            case UInt8(ascii: "{"):
                throw fail("inline tables ({ … }) are not supported; write a [table] instead")
            default:
                return ConfigurationNode(try scalar(), line: valueLine)
            }
        }

        mutating func array() throws(ConfigurationError) -> [ConfigurationNode] {
            let openLine = line
            i += 1
            var items: [ConfigurationNode] = []
            while true {
                skipBlankLines()
                guard let c = peek else { throw fail("array opened on line \(openLine) is not closed with ']'") }
                if c == UInt8(ascii: "]") { i += 1; return items }
                items.append(try value())
                skipBlankLines()
                guard let d = peek else { throw fail("array opened on line \(openLine) is not closed with ']'") }
                if d == UInt8(ascii: ",") { i += 1; continue }
                if d == UInt8(ascii: "]") { i += 1; return items }
                throw fail("expected ',' or ']' in the array, found '\(Self.show(d))'")
            }
        }

        /// A bare word: boolean or number.
        mutating func scalar() throws(ConfigurationError) -> ConfigurationNode.Value {
            let start = i
            while let c = peek, Self.isBareKey(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":") {
                i += 1
            }
            let word = String(decoding: bytes[start..<i], as: UTF8.self)
            guard !word.isEmpty else { throw fail("expected a value, found '\(Self.show(peek ?? 32))'") }
            if word == "true" { return .bool(true) }
            if word == "false" { return .bool(false) }
            if let number = Self.number(word) { return number }
            if word.contains(":") || (word.count >= 10 && word.dropFirst(4).first == "-" && word.prefix(4).allSatisfy(\.isNumber)) {
                throw fail("dates and times are not supported ('\(word)')")
            }
            let body = word.first == "+" || word.first == "-" ? word.dropFirst() : Substring(word)
            if body.hasPrefix("0x") || body.hasPrefix("0o") || body.hasPrefix("0b") {
                throw fail("hexadecimal, octal and binary integers are not supported ('\(word)')")
            }
            throw fail("'\(word)' is not a value (strings need quotes: \"\(word)\")")
        }

        /// TOML decimal integers and floats (underscores only between digits; no leading zeros).
        static func number(_ word: String) -> ConfigurationNode.Value? {
            var text = Substring(word)
            var sign = ""
            if text.first == "+" || text.first == "-" { sign = text.first == "-" ? "-" : ""; text = text.dropFirst() }
            if text == "inf" { return .float(sign == "-" ? -.infinity : .infinity) }
            if text == "nan" { return .float(.nan) }
            func digits(_ s: Substring) -> String? {
                guard let first = s.first, let last = s.last, first.isASCII, first.isNumber, last.isASCII, last.isNumber else { return nil }
                var out = ""
                var previousUnderscore = false
                for ch in s {
                    if ch == "_" {
                        if previousUnderscore { return nil }
                        previousUnderscore = true
                        continue
                    }
                    guard ch.isASCII, ch.isNumber else { return nil }
                    previousUnderscore = false
                    out.append(ch)
                }
                return out
            }
            var mantissa = text
            var exponent: Substring?
            if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
                mantissa = text[..<e]
                exponent = text[text.index(after: e)...]
            }
            var integerPart = mantissa
            var fraction: Substring?
            if let dot = mantissa.firstIndex(of: ".") {
                integerPart = mantissa[..<dot]
                fraction = mantissa[mantissa.index(after: dot)...]
            }
            guard let whole = digits(integerPart) else { return nil }
            if whole.count > 1, whole.first == "0" { return nil }
            if fraction == nil, exponent == nil {
                return Int(sign + whole).map { .integer($0) }
            }
            var literal = sign + whole
            if let fraction {
                guard let f = digits(fraction) else { return nil }
                literal += "." + f
            }
            if var exponent {
                var expSign = ""
                if exponent.first == "+" || exponent.first == "-" { expSign = String(exponent.first!); exponent = exponent.dropFirst() }
                guard let x = digits(exponent) else { return nil }
                literal += "e" + expSign + x
            }
            return Double(literal).map { .float($0) }
        }

        mutating func basicString() throws(ConfigurationError) -> String {
            let openLine = line
            i += 1
            var out: [UInt8] = []
            while true {
                guard let c = peek, c != 10 else { throw fail("string opened on line \(openLine) is not closed with '\"'") }
                i += 1
                if c == UInt8(ascii: "\"") { break }
                guard c == UInt8(ascii: "\\") else { out.append(c); continue }
                guard let e = peek else { throw fail("unfinished escape in a string") }
                i += 1
                switch e {
                case UInt8(ascii: "\""): out.append(e)
                case UInt8(ascii: "\\"): out.append(e)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let count = e == UInt8(ascii: "u") ? 4 : 8
                    guard i + count <= bytes.count,
                          let code = UInt32(String(decoding: bytes[i..<(i + count)], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(code) else {
                        throw fail("bad \\\(Self.show(e)) escape: \(count) hexadecimal digits of a Unicode scalar expected")
                    }
                    i += count
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw fail("unknown escape '\\\(Self.show(e))' in a string")
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        mutating func literalString() throws(ConfigurationError) -> String {
            let openLine = line
            i += 1
            let start = i
            while let c = peek, c != UInt8(ascii: "'") {
                guard c != 10 else { throw fail("string opened on line \(openLine) is not closed with \"'\"") }
                i += 1
            }
            guard !atEnd else { throw fail("string opened on line \(openLine) is not closed with \"'\"") }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            i += 1
            return text
        }

        static func show(_ c: UInt8) -> String {
            c >= 32 && c < 127 ? String(UnicodeScalar(c)) : "\\u{\(String(c, radix: 16))}"
        }
    }
}
