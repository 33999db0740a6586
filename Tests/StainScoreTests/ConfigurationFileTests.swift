import Foundation
import StainScore
import Testing

@Suite("Configuration files")
struct ConfigurationFileTests {
    static func load(_ text: String, format: ConfigurationFile.Format = .toml) throws -> AnalysisParameters {
        let table = try ConfigurationFile.parse(text, path: "c.\(format.rawValue)", format: format)
        return try ConfigurationFile.apply(table, to: AnalysisParameters(), path: "c.\(format.rawValue)")
    }

    static func error(_ text: String, format: ConfigurationFile.Format = .toml) -> ConfigurationError? {
        do {
            _ = try load(text, format: format)
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }

    /// Dotted names of every leaf of a JSON object.
    static func leaves(_ value: Any, prefix: String = "") -> Set<String> {
        guard let object = value as? [String: Any] else { return [prefix] }
        var out: Set<String> = []
        for (key, child) in object { out.formUnion(leaves(child, prefix: prefix.isEmpty ? key : prefix + "." + key)) }
        return out
    }

    @Test("the printed defaults load back to exactly the defaults (TOML and JSON)")
    func roundTrip() throws {
        #expect(try Self.load(ConfigurationFile.defaultsTOML()) == AnalysisParameters())
        #expect(try Self.load(ConfigurationFile.defaultsJSON(), format: .json) == AnalysisParameters())
    }

    @Test("the schema has every Codable key of the parameters, each documented, none unsupported")
    func schemaCoversParameters() throws {
        // Independent oracle: the Codable encoding of parameters with every optional set.
        var all = AnalysisParameters()
        all.background = [240, 241, 242]
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(all))
        let schema = ConfigurationSchema.analysisParameters
        #expect(Set(schema.keys.map(\.dottedName)) == Self.leaves(json))
        for key in schema.keys {
            #expect(ConfigurationDocs.text[key.dottedName] != nil, "no explanation for \(key.dottedName)")
            if case .unsupported = key.type { Issue.record("\(key.dottedName) cannot be read from a file") }
            if key.defaultValue == nil { #expect(ConfigurationDocs.examples[key.dottedName] != nil, "no example for \(key.dottedName)") }
        }
        for table in schema.tables { #expect(ConfigurationDocs.text[table.joined(separator: ".")] != nil) }
        #expect(schema.key(["background"])?.optional == true)
        #expect(schema.key(["membrane", "sectors"])?.type == .integer)
        #expect(schema.key(["rules", "ruleSet"])?.type == .string(allowed: RuleSet.allCases.map(\.rawValue)))
    }

    @Test("every parameter is printed, with a comment, under its table")
    func printedDefaults() throws {
        let text = ConfigurationFile.defaultsTOML()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var table: [String] = []
        var seen: Set<String> = []
        /// The parameter a line sets (or shows commented out), if any.
        func parameter(_ line: String) -> String? {
            let body = line.hasPrefix("# ") ? String(line.dropFirst(2)) : line
            guard let eq = body.range(of: " = "), !body[..<eq.lowerBound].contains(" ") else { return nil }
            let path = table + [String(body[..<eq.lowerBound])]
            return ConfigurationSchema.analysisParameters.key(path) != nil ? path.joined(separator: ".") : nil
        }
        for (i, line) in lines.enumerated() {
            if line.hasPrefix("[") { table = line.dropFirst().dropLast().split(separator: ".").map(String.init); continue }
            guard let name = parameter(line) else { continue }
            #expect(seen.insert(name).inserted, "\(name) printed twice")
            #expect(i > 0 && lines[i - 1].hasPrefix("#") && parameter(lines[i - 1]) == nil, "\(name) has no comment above it")
        }
        #expect(seen == Set(ConfigurationSchema.analysisParameters.keys.map(\.dottedName)))
        // Unset optionals are commented out, set values are not.
        #expect(text.contains("\n# background = [242, 242, 242]\n"))
        #expect(text.contains("\nsectors = 36\n"))
    }

    @Test("values reach nested parameters; integers are accepted for numbers")
    func values() throws {
        let p = try Self.load("""
            analysisMicronsPerPixel = 0
            background = [240, 241.5, 242]
            [rules]
            ruleSet = "gastric-resection"
            minimumTumourCells = 50
            [rules.cells]
            intenseIntensity = 0.6
            [nuclei]
            minimumContrastOD = 0.07
            seedSigmaRangeMicrons = [1.0, 2.5]
            [membrane]
            attributeSharedMembranes = false
            sectors = 72
            [stains]
            hematoxylin = [1, 1, 0]
            """)
        var expected = AnalysisParameters()
        expected.analysisMicronsPerPixel = 0
        expected.background = [240, 241.5, 242]
        expected.rules.ruleSet = .gastricResection
        expected.rules.minimumTumourCells = 50
        expected.rules.cells.intenseIntensity = 0.6
        expected.nuclei.minimumContrastOD = 0.07
        expected.nuclei.seedSigmaRangeMicrons = 1.0...2.5
        expected.membrane.attributeSharedMembranes = false
        expected.membrane.sectors = 72
        // Normalised to unit length.
        expected.stains.hematoxylin = SIMD3(0.5.squareRoot(), 0.5.squareRoot(), 0)
        #expect(abs(p.stains.hematoxylin.x - 0.5.squareRoot()) < 1e-15)
        expected.stains.hematoxylin = p.stains.hematoxylin
        #expect(p == expected)
    }

    @Test("JSON files: null unsets an optional; the same checks apply")
    func json() throws {
        var start = AnalysisParameters()
        start.background = [200, 200, 200]
        let table = try ConfigurationFile.parse(#"{"background": null, "nuclei": {"smoothingSigmaMicrons": 1.25}}"#, path: "c.json", format: .json)
        let p = try ConfigurationFile.apply(table, to: start, path: "c.json")
        #expect(p.background == nil)
        #expect(p.nuclei.smoothingSigmaMicrons == 1.25)
        let e = try #require(Self.error(#"{"nuclei": {"maskSigma": 1}}"#, format: .json))
        #expect(e.line == nil)
        #expect(e.message.contains("unknown key 'nuclei.maskSigma'"))
    }

    @Test("mistakes are errors naming the key and line", arguments: [
        ("[nuclei]\nminimumAreaMicron2 = 5\n", 2, "unknown key 'nuclei.minimumAreaMicron2'; did you mean 'nuclei.minimumAreaMicrons2'?"),
        ("ruleset = \"breast-2018\"\n", 1, "unknown key 'ruleset'"),
        ("[nucleus]\nthreshold = 0.2\n", 1, "unknown key 'nucleus'; did you mean 'nuclei'?"),
        ("[membrane]\nsectors = 36.5\n", 2, "'membrane.sectors' must be an integer, not a floating-point number"),
        ("[rules]\nruleSet = \"breast\"\n", 2, "not one of \"breast-2018\""),
        ("[stains]\ndab = [1, 2]\n", 2, "'stains.dab' must have 3 numbers, not 2"),
        ("background = [1, 2, 300]\n", 1, "'background': must be three numbers R, G, B in 1…255"),
        ("[nuclei]\nseedSigmaRangeMicrons = [3.0, 1.5]\n", 2, "low ≤ high"),
        ("estimateStains = \"yes\"\n", 1, "must be true or false, not a string"),
        ("rules = 3\n", 1, "'rules' is a table of parameters ([rules]), not an integer"),
        ("analysisMicronsPerPixel = nan\n", 1, "must be a finite number"),
        ("[tissue]\nminimumTissueOD = inf\n", 2, "must be a finite number"),
        ("[membrane]\nsectors = 2\n", 2, "'membrane.sectors': must be at least 4"),
    ])
    func mistakes(text: String, line: Int, fragment: String) throws {
        let error = try #require(Self.error(text), "no error for \(text.debugDescription)")
        #expect(error.line == line, "\(error)")
        #expect(error.message.contains(fragment), "\(error)")
    }

    @Test("load: format from the extension or the content; missing file named")
    func loadFiles() throws {
        let folder = TemporaryFolder()
        try folder.write("[rules]\nruleSet = \"breast-2007\"\n", to: "p.toml")
        try folder.write("{\"rules\": {\"ruleSet\": \"breast-2013\"}}", to: "p.conf")
        #expect(try ConfigurationFile.load(folder.file("p.toml")).rules.ruleSet == .breast2007)
        #expect(try ConfigurationFile.load(folder.file("p.conf")).rules.ruleSet == .breast2013)
        #expect(throws: ConfigurationError(path: folder.file("none.toml"), message: "no such file")) {
            try ConfigurationFile.load(folder.file("none.toml"))
        }
    }
}
