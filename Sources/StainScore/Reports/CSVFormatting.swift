import Foundation

/// How the batch CSV files spell their fields: RFC 4180 quoting, and fixed-point numbers that
/// do not depend on the locale, so the same results give the same bytes everywhere.
public enum CSVFormatting {
    /// The field as written: quoted (with doubled inner quotes) when it holds a comma, a quote,
    /// a line break, or leading/trailing spaces that a reader would trim.
    public static func field(_ text: String) -> String {
        let needsQuotes = text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
            || text.first == " " || text.last == " " || text.first == "\t" || text.last == "\t"
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One CSV line (no line end) from fields, each quoted as needed.
    public static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }

    /// `value` with `digits` decimals (`%.Nf`, C locale); non-finite values are written empty.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "" }
        let text = String(format: "%.\(digits)f", value)
        // "-0.00" and "0.00" are the same number: write one spelling.
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(text.dropFirst()) }
        return text
    }
}
