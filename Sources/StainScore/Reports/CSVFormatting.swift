/// How the batch CSV files spell their fields: RFC 4180 quoting, and fixed-point numbers that
/// do not depend on the locale, so the same results give the same bytes everywhere.
public enum CSVFormatting {
    /// Whether `text` must be quoted: it holds a comma, a quote or a line break, or has
    /// leading/trailing spaces or tabs that a reader would trim.
    static func needsQuotes(_ text: String) -> Bool {
        text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
            || text.first == " " || text.last == " " || text.first == "\t" || text.last == "\t"
    }

    /// The field as written: quoted (with doubled inner quotes) when `needsQuotes`.
    public static func field(_ text: String) -> String {
        guard needsQuotes(text) else { return text }
        var out = "\""
        for character in text {
            out.append(character)
            if character == "\"" { out.append("\"") }
        }
        return out + "\""
    }

    /// Appends `text` as a field (`field`).
    public static func appendField(_ text: String, to out: TextBuffer) {
        guard needsQuotes(text) else { return out.append(text) }
        out.append(byte: UInt8(ascii: "\""))
        for byte in text.utf8 {
            out.append(byte: byte)
            if byte == UInt8(ascii: "\"") { out.append(byte: byte) }
        }
        out.append(byte: UInt8(ascii: "\""))
    }

    /// One CSV line (no line end) from fields, each quoted as needed.
    public static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }

    /// `value` with `digits` decimals (`%.Nf`, C locale); non-finite values are written empty
    /// (`TextBuffer.appendFixed`).
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        let out = TextBuffer(capacity: 32)
        out.appendFixed(value, digits)
        return out.string
    }
}
