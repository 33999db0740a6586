/// Text made safe for an HTML page, so that names chosen by users (slide and tile names may hold
/// `&`, `<`, `>` and quotes) are shown as written and can never open a tag or end an attribute.
public enum HTMLEscaping {
    /// `text` for element content or a double-quoted attribute value: `&` `<` `>` `"` `'` become
    /// character references; everything else (UTF-8 included) is kept.
    public static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 || $0 == 34 || $0 == 39 }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A relative file path as a URL path (for `href`/`src`): each byte outside the unreserved
    /// set and `/` is percent-encoded, so `#`, `?`, `%`, spaces and non-ASCII names in slide or
    /// tile names stay part of the path instead of starting a fragment or a query. The result
    /// needs no further HTML escaping.
    public static func urlPath(_ path: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(path.utf8.count)
        for b in path.utf8 {
            let unreserved = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E || b == 0x2F
            if unreserved {
                bytes.append(b)
            } else {
                bytes += [0x25, hex[Int(b >> 4)], hex[Int(b & 15)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `value` with `digits` decimals, without `String(format:)` (locale-free, and cheap enough to
    /// call for every element of a chart); half-way cases round away from zero; no "-0".
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e15 else { return String(value) }
        let units = Int64(scaled)
        let negative = value < 0 && units != 0
        var whole = String(units / Int64(scale))
        if digits > 0 {
            var fraction = String(units % Int64(scale))
            if fraction.count < digits { fraction = String(repeating: "0", count: digits - fraction.count) + fraction }
            whole += "." + fraction
        }
        return negative ? "-" + whole : whole
    }
}
