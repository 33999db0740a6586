import Foundation

/// A strict reader of the HTML `report.html` is written in, for the tests: every element but the
/// void ones closed explicitly and in order (no implied end tags), attributes quoted, `<` and `&`
/// in text only as the start of a tag or a character reference. It builds a small tree to query.
struct HTMLCheck {
    final class Element {
        let name: String
        let attributes: [String: String]
        weak var parent: Element?
        var children: [Element] = []
        /// Text directly and indirectly inside, character references decoded.
        var text = ""

        init(name: String, attributes: [String: String], parent: Element?) {
            self.name = name
            self.attributes = attributes
            self.parent = parent
        }

        /// Every element below this one (depth first), this one excluded.
        var descendants: [Element] { children.flatMap { [$0] + $0.descendants } }
        func all(_ name: String) -> [Element] { descendants.filter { $0.name == name } }
        var classes: Set<String> { Set((attributes["class"] ?? "").split(separator: " ").map(String.init)) }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let voidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]
    /// Elements whose content is raw text up to their end tag.
    static let rawText: Set<String> = ["script", "style"]
    static let namedReferences: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}"]

    let root = Element(name: "#document", attributes: [:], parent: nil)
    /// Raw contents of `<script>` and `<style>` elements.
    var scripts: [String] = []
    var styles: [String] = []

    init(_ html: String) throws {
        let s = Array(html.unicodeScalars)
        var i = 0
        var current = root
        func fail(_ message: String) -> Failure {
            let line = s[0..<min(i, s.count)].filter { $0 == "\n" }.count + 1
            return Failure(description: "line \(line): \(message)")
        }
        func isNameChar(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "-" || c == ":" || c == "_"
        }
        func appendText(_ t: String) {
            var e: Element? = current
            while let element = e { element.text += t; e = element.parent }
        }
        func reference() throws -> String {
            // s[i] == "&"
            var j = i + 1
            var name = ""
            while j < s.count, s[j] != ";", j - i < 12 { name.unicodeScalars.append(s[j]); j += 1 }
            guard j < s.count, s[j] == ";" else { throw fail("bare & (not a character reference)") }
            i = j + 1
            if name.hasPrefix("#x") || name.hasPrefix("#X"), let v = UInt32(name.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) { return String(u) }
            if name.hasPrefix("#"), let v = UInt32(name.dropFirst()), let u = Unicode.Scalar(v) { return String(u) }
            guard let named = Self.namedReferences[name] else { throw fail("unknown character reference &\(name);") }
            return named
        }

        while i < s.count {
            let c = s[i]
            if c == "&" {
                appendText(try reference())
                continue
            }
            guard c == "<" else {
                if c == ">" { throw fail("bare > in text") }
                appendText(String(c))
                i += 1
                continue
            }
            // Markup.
            if s[i...].starts(with: Array("<!--".unicodeScalars)) {
                guard let end = String(String.UnicodeScalarView(s[i...])).range(of: "-->") else { throw fail("unclosed comment") }
                i += String(String.UnicodeScalarView(s[i...]))[..<end.upperBound].unicodeScalars.count
                continue
            }
            if i + 1 < s.count, s[i + 1] == "!" {
                guard current === root, let close = s[i...].firstIndex(of: ">") else { throw fail("misplaced <!") }
                i = close + 1
                continue
            }
            let closing = i + 1 < s.count && s[i + 1] == "/"
            var j = i + (closing ? 2 : 1)
            var name = ""
            while j < s.count, isNameChar(s[j]) { name.unicodeScalars.append(s[j]); j += 1 }
            guard !name.isEmpty else { throw fail("bare < in text") }
            name = name.lowercased()
            if closing {
                while j < s.count, s[j] == " " { j += 1 }
                guard j < s.count, s[j] == ">" else { throw fail("malformed end tag </\(name)") }
                guard current.name == name else { throw fail("</\(name)> closes <\(current.name)>") }
                current = current.parent ?? root
                i = j + 1
                continue
            }
            // Attributes: name="value" (double or single quotes), or a bare name.
            var attributes: [String: String] = [:]
            var selfClosing = false
            while true {
                while j < s.count, s[j] == " " || s[j] == "\n" || s[j] == "\t" { j += 1 }
                guard j < s.count else { throw fail("unclosed <\(name)") }
                if s[j] == ">" { j += 1; break }
                if s[j] == "/", j + 1 < s.count, s[j + 1] == ">" { selfClosing = true; j += 2; break }
                var attribute = ""
                while j < s.count, isNameChar(s[j]) { attribute.unicodeScalars.append(s[j]); j += 1 }
                guard !attribute.isEmpty else { throw fail("bad attribute in <\(name)>") }
                guard attributes[attribute.lowercased()] == nil else { throw fail("duplicate attribute \(attribute) in <\(name)>") }
                var value = ""
                if j < s.count, s[j] == "=" {
                    j += 1
                    guard j < s.count, s[j] == "\"" || s[j] == "'" else { throw fail("unquoted value of \(attribute) in <\(name)>") }
                    let quote = s[j]
                    j += 1
                    while j < s.count, s[j] != quote {
                        if s[j] == "<" { throw fail("< inside attribute \(attribute)") }
                        if s[j] == "&" {
                            let saved = i
                            i = j
                            value += try reference()
                            j = i
                            i = saved
                            continue
                        }
                        value.unicodeScalars.append(s[j])
                        j += 1
                    }
                    guard j < s.count else { throw fail("unterminated attribute \(attribute)") }
                    j += 1
                }
                attributes[attribute.lowercased()] = value
            }
            i = j
            let element = Element(name: name, attributes: attributes, parent: current)
            current.children.append(element)
            if Self.voidElements.contains(name) { continue }
            if selfClosing {
                // Only SVG's foreign elements may close themselves.
                var inSVG = false
                var e: Element? = current
                while let x = e { if x.name == "svg" { inSVG = true }; e = x.parent }
                guard inSVG else { throw fail("<\(name)/> outside SVG") }
                continue
            }
            if Self.rawText.contains(name) {
                let rest = String(String.UnicodeScalarView(s[i...]))
                guard let end = rest.range(of: "</\(name)>", options: .caseInsensitive) else { throw fail("unclosed <\(name)>") }
                let body = String(rest[..<end.lowerBound])
                if name == "script" { scripts.append(body) } else { styles.append(body) }
                i += body.unicodeScalars.count + name.count + 3
                continue
            }
            current = element
        }
        guard current === root else { throw fail("<\(current.name)> is never closed") }
        guard root.children.map(\.name) == ["html"] else { throw fail("the document is not one <html> element: \(root.children.map(\.name))") }
    }

    /// Attributes that make a browser fetch or follow something.
    static let linkAttributes = ["src", "href", "srcset", "action", "poster", "data", "xlink:href", "formaction", "background"]

    /// Every reference that would leave the page's folder: absolute URLs other than `data:`
    /// and in-page fragments, protocol-relative ones, `url(…)` of http(s) in styles, `@import`,
    /// and script calls that fetch.
    func networkReferences() -> [String] {
        var found: [String] = []
        for element in root.descendants {
            for name in Self.linkAttributes {
                guard let value = element.attributes[name]?.trimmingCharacters(in: .whitespaces).lowercased() else { continue }
                if value.hasPrefix("//") || value.hasPrefix("http:") || value.hasPrefix("https:") || value.hasPrefix("ftp:") {
                    found.append("<\(element.name) \(name)=\"\(value)\">")
                }
            }
            if let style = element.attributes["style"], style.lowercased().contains("url(") { found.append("style url(): \(style)") }
        }
        for style in styles {
            let lower = style.lowercased()
            if lower.contains("@import") { found.append("@import in <style>") }
            if lower.contains("url(") { found.append("url() in <style>") }
        }
        for script in scripts {
            for call in ["fetch(", "xmlhttprequest", "import(", "websocket", "eventsource", "sendbeacon", ".src", "http:", "https:"]
            where script.lowercased().contains(call) {
                found.append("\(call) in <script>")
            }
        }
        return found
    }

    /// The relative files the page links to or shows (fragments and `data:` left out),
    /// percent-decoded, relative to the page's folder.
    func relativeTargets() -> [String] {
        root.descendants.flatMap { element in
            ["src", "href"].compactMap { element.attributes[$0] }
        }.filter { !$0.hasPrefix("#") && !$0.hasPrefix("data:") }.map { $0.removingPercentEncoding ?? $0 }
    }
}

/// Debian's Chromium, headless: finds it and renders a page.
enum Chromium {
    /// `CHROMIUM` from the environment, else `chromium` or `chromium-browser` on PATH.
    static let binary: String? = {
        if let explicit = ProcessInfo.processInfo.environment["CHROMIUM"], FileManager.default.isExecutableFile(atPath: explicit) {
            return explicit
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = folder + "/" + name
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        /// What the page wrote to its console (uncaught errors included), one entry per message.
        var consoleMessages: [String] {
            stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        }
    }

    /// Runs headless Chromium on `page` with `arguments` (a private profile in `profile`), stopped
    /// after `timeout` seconds.
    static func run(_ arguments: [String], page: String, profile: String, timeout: TimeInterval = 90) throws -> Run {
        guard let binary else { throw HTMLCheck.Failure(description: "chromium not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                             "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                             "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", "--hide-scrollbars"]
            + arguments + [URL(fileURLWithPath: page).absoluteString]
        let out = profile + ".out", err = profile + ".err"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try outHandle.close()
        try errHandle.close()
        return Run(status: process.terminationStatus,
                   stdout: String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self),
                   stderr: String(decoding: FileManager.default.contents(atPath: err) ?? Data(), as: UTF8.self))
    }
}
