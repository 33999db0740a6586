import StainScore
import Testing

@Suite("TOML subset parser")
struct TOMLParserTests {
    static func parse(_ text: String) throws -> ConfigurationTable { try TOMLParser.parse(text, path: "t.toml") }

    static func value(_ table: ConfigurationTable, _ path: String...) -> ConfigurationNode.Value? {
        var node: ConfigurationNode? = ConfigurationNode(.table(table))
        for key in path {
            guard case .table(let t)? = node?.value else { return nil }
            node = t[key]
        }
        return node?.value
    }

    static func error(_ text: String) -> ConfigurationError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }

    @Test("tables, dotted keys, every value type, comments, multi-line arrays")
    func document() throws {
        let t = try Self.parse("""
            # a comment
            top = 1   # trailing comment
            name = "a \\"quoted\\" \\\\ \\u00e9 \\t."
            path = 'C:\\raw\\n'
            big = 1_000_000
            negative = -17
            half = 0.5
            tiny = 1e-05
            signed = +2.5E+3
            infinite = -inf
            yes = true
            no = false
            dotted.inner = "x"
            "quoted key" = 3

            [nuclei]
            list = [
              1,   # one
              2.5,
              [3, 4],
            ]
            empty = []

            [rules.cells]
            stainedThreshold = 0.1
            """)
        #expect(Self.value(t, "top") == .integer(1))
        #expect(Self.value(t, "name") == .string("a \"quoted\" \\ é \t."))
        #expect(Self.value(t, "path") == .string("C:\\raw\\n"))
        #expect(Self.value(t, "big") == .integer(1_000_000))
        #expect(Self.value(t, "negative") == .integer(-17))
        #expect(Self.value(t, "half") == .float(0.5))
        #expect(Self.value(t, "tiny") == .float(0.00001))
        #expect(Self.value(t, "signed") == .float(2500))
        #expect(Self.value(t, "infinite") == .float(-.infinity))
        #expect(Self.value(t, "yes") == .bool(true))
        #expect(Self.value(t, "no") == .bool(false))
        #expect(Self.value(t, "dotted", "inner") == .string("x"))
        #expect(Self.value(t, "quoted key") == .integer(3))
        guard case .array(let list)? = Self.value(t, "nuclei", "list") else { Issue.record("no list"); return }
        #expect(list.map(\.value) == [.integer(1), .float(2.5), .array([ConfigurationNode(.integer(3), line: 20), ConfigurationNode(.integer(4), line: 20)])])
        #expect(Self.value(t, "nuclei", "empty") == .array([]))
        #expect(Self.value(t, "rules", "cells", "stainedThreshold") == .float(0.1))
        #expect(t.keys == ["top", "name", "path", "big", "negative", "half", "tiny", "signed", "infinite", "yes", "no", "dotted", "quoted key", "nuclei", "rules"])
    }

    @Test("keys remember their line")
    func lines() throws {
        let t = try Self.parse("a = 1\n\n[b]\n# c\nc = 2\n")
        #expect(t["a"]?.line == 1)
        guard case .table(let b)? = t["b"]?.value else { Issue.record("no table"); return }
        #expect(b["c"]?.line == 5)
    }

    @Test("errors name the file and line", arguments: [
        ("a = 1\na = 2\n", 2, "defined twice (first on line 1)"),
        ("[t]\nx = 1\n[t]\n", 3, "table [t] is defined twice (first on line 1)"),
        ("a = \"open\n", 1, "not closed"),
        ("a = { b = 1 }\n", 1, "inline tables"),
        ("[[t]]\n", 1, "arrays of tables"),
        ("a =\n", 1, "expected a value"),
        ("a = 01\n", 1, "is not a value"),
        ("a = 1 2\n", 1, "after the value"),
        ("a = 1979-05-27\n", 1, "dates and times"),
        ("a = 0x1F\n", 1, "hexadecimal"),
        ("a = bare\n", 1, "strings need quotes"),
        ("x = 1\nx.y = 2\n", 2, "already a value"),
        ("a = [1, 2\n", 2, "not closed"),
        ("a = \"\\q\"\n", 1, "unknown escape"),
        ("= 3\n", 1, "expected a key"),
        ("a = 1__0\n", 1, "is not a value"),
    ])
    func errors(text: String, line: Int, fragment: String) throws {
        let error = try #require(Self.error(text), "no error for \(text.debugDescription)")
        #expect(error.path == "t.toml")
        #expect(error.line == line, "\(error)")
        #expect(error.message.contains(fragment), "\(error)")
        #expect(error.description.hasPrefix("t.toml:\(line): "))
    }
}
