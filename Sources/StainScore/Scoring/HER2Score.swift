/// The HER2 IHC score of a slide, and the membrane class of a single cell, on the same
/// 0 / 1+ / 2+ / 3+ scale.
public enum HER2Score: Int, Sendable, Hashable, Comparable, Codable, CaseIterable, CustomStringConvertible {
    case zero = 0
    case one = 1
    case two = 2
    case three = 3

    /// "0", "1+", "2+", "3+".
    public var label: String { self == .zero ? "0" : "\(rawValue)+" }
    public var description: String { label }

    /// Parses "0", "1+", "2+", "3+" (also "1", "2", "3", "0+").
    public init?(label: String) {
        let trimmed = label.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.hasSuffix("+") ? String(trimmed.dropLast()) : trimmed
        guard let value = Int(digits), let score = HER2Score(rawValue: value) else { return nil }
        self = score
    }

    public static func < (a: HER2Score, b: HER2Score) -> Bool { a.rawValue < b.rawValue }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(label)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self), let score = HER2Score(label: text) {
            self = score
        } else {
            let value = try c.decode(Int.self)
            guard let score = HER2Score(rawValue: value) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a HER2 score: \(value)")
            }
            self = score
        }
    }
}

/// The treatment-relevant HER2 category of a slide.
///
/// - `null`: IHC 0 with no membrane staining at all.
/// - `ultralow`: IHC 0 with faint/barely perceptible incomplete staining in >0% and ≤10% of
///   tumour cells (DESTINY-Breast06; FDA, January 2025).
/// - `low`: IHC 1+ (and 2+ with ISH not amplified, which only ISH can tell).
/// - `equivocal`: IHC 2+: reflex ISH required.
/// - `positive`: IHC 3+.
public enum HER2Category: String, Sendable, Hashable, Codable, CaseIterable {
    case null
    case ultralow
    case low
    case equivocal
    case positive
}

import Foundation
