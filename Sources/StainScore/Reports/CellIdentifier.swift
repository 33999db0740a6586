/// Deterministic identifiers of cells, shared by `cells.csv` (`id`) and the GeoJSON features
/// (`id`), so the two can be joined and a re-run gives the same identifiers.
public enum CellIdentifier {
    /// A UUID-formatted string (RFC 9562 version 8, "custom") made of the first 16 bytes of
    /// SHA-256("ihc-score cell" ␀ slide ␀ tile ␀ index). QuPath reads it as the object's UUID.
    public static func uuid(slide: String, tile: String, index: Int) -> String {
        var hasher = SHA256()
        hasher.update(Array("ihc-score cell\u{0}\(slide)\u{0}\(tile)\u{0}\(index)".utf8))
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = SHA256.hex(bytes)
        let h = Array(hex)
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
    }
}
