/// The slide score a virtual slide is drawn for.
///
/// `null` and `ultralow` are both IHC 0 (no staining at all / faint incomplete staining in
/// 1–6% of tumour cells); `zero` is IHC 0 of either kind. `mixed` gives each slide its own target,
/// cycling through null, ultralow, 1+, 2+, 3+ from a seed-dependent start, so that every score
/// appears in any five consecutive slides and slide `i` never depends on how many are rendered.
public enum SynthesisTarget: String, Sendable, Hashable, Codable, CaseIterable {
    case null
    case ultralow
    case zero = "0"
    case one = "1+"
    case two = "2+"
    case three = "3+"
    case mixed

    /// Accepts the raw values and the score spellings "1", "2", "3", "0+".
    public init?(label: String) {
        if let t = SynthesisTarget(rawValue: label.lowercased()) { self = t; return }
        guard let score = HER2Score(label: label) else { return nil }
        self = switch score {
        case .zero: .zero
        case .one: .one
        case .two: .two
        case .three: .three
        }
    }

    /// The cycle `mixed` walks through.
    public static let mixedCycle: [SynthesisTarget] = [.null, .ultralow, .one, .two, .three]

    /// The concrete target of slide `index` (0-based) for `seed`.
    public func resolved(slide index: Int, seed: UInt64) -> SynthesisTarget {
        guard self == .mixed else { return self }
        let start = Int(SplitMix64.derive(seed, 0x6D1C) % UInt64(Self.mixedCycle.count))
        return Self.mixedCycle[(start + index) % Self.mixedCycle.count]
    }

    /// The slide score this target stands for.
    public var score: HER2Score {
        switch self {
        case .null, .ultralow, .zero, .mixed: .zero
        case .one: .one
        case .two: .two
        case .three: .three
        }
    }

    /// Whether a truth slide score (and category) meets this target.
    public func accepts(_ result: SlideScore) -> Bool {
        switch self {
        case .null: result.score == .zero && result.category == .null
        case .ultralow: result.score == .zero && result.category == .ultralow
        case .mixed: true
        default: result.score == score
        }
    }
}
