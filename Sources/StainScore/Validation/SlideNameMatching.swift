/// Pairs truth slides with predictions by name.
///
/// A name matches exactly first; otherwise the names are compared without a trailing image
/// extension (`.png`, `.jpg`, `.jpeg`, `.tif`, `.tiff`, `.svs`, `.ndpi`, `.mrxs`, any case), so
/// the truth `core-01.jpg` matches a prediction named `core-01.jpg` or `core-01`, and the other
/// way round. Each prediction is used at most once.
public enum SlideNameMatching {
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "tif", "tiff", "svs", "ndpi", "mrxs"]

    /// The name without folder and without a trailing image extension.
    public static func key(_ name: String) -> String {
        var base = name
        if let slash = base.lastIndex(of: "/"), base.index(after: slash) < base.endIndex {
            base = String(base[base.index(after: slash)...])
        }
        if let dot = base.lastIndex(of: "."), dot != base.startIndex,
           imageExtensions.contains(base[base.index(after: dot)...].lowercased()) {
            base = String(base[..<dot])
        }
        return base
    }

    /// For each truth name, the index of its prediction (or nil); and the predictions left over.
    public static func match(truth: [String], predictions: [String]) -> (pairs: [Int?], unmatchedPredictions: [Int]) {
        var used = Set<Int>()
        var exact: [String: Int] = [:]
        var byKey: [String: [Int]] = [:]
        for (i, name) in predictions.enumerated() {
            if exact[name] == nil { exact[name] = i }
            byKey[key(name), default: []].append(i)
        }
        var pairs = [Int?](repeating: nil, count: truth.count)
        for (t, name) in truth.enumerated() {
            if let i = exact[name], !used.contains(i) {
                pairs[t] = i
                used.insert(i)
            }
        }
        for (t, name) in truth.enumerated() where pairs[t] == nil {
            if let i = byKey[key(name)]?.first(where: { !used.contains($0) }) {
                pairs[t] = i
                used.insert(i)
            }
        }
        return (pairs, predictions.indices.filter { !used.contains($0) })
    }
}
