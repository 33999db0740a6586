import Foundation

/// The membrane measurement's lookup tables around a nucleus centre: offset → sector and
/// offset → radius over a `side × side` window centred at (reach, reach), and the window's
/// stretches of one sector along each row (for the block passes).
///
/// They depend only on the reach and the number of sectors, so they are built once per pair
/// and shared by every tile and thread that asks for it (`shared`), instead of once per tile
/// (an `atan2` and a square root per offset).
struct MembraneLookupTables: Sendable {
    let reach: Int
    let side: Int
    /// −1 at the centre, else the sector of the offset: the angle from +π (pointing left) in
    /// `sectors` equal parts.
    let sectorOf: [Int16]
    /// √(dx² + dy²), 0 at the centre.
    let radiusOf: [Float]
    let stretches: MembraneBlockPasses.SectorStretches
    /// `sectorOf` and `radiusOf` side by side, for pass 2 over the blocks: one load a pixel.
    let entries: [Entry]

    /// An offset's radius and sector (−1 at the centre).
    struct Entry {
        var radius: Float
        var sector: Int32
    }

    init(reach: Int, sectors: Int) {
        let side = 2 * reach + 1
        var sectorOf = [Int16](repeating: -1, count: side * side)
        var radiusOf = [Float](repeating: 0, count: side * side)
        for dy in -reach...reach {
            for dx in -reach...reach where dx != 0 || dy != 0 {
                let angle = atan2(Double(dy), Double(dx)) + .pi
                sectorOf[(dy + reach) * side + dx + reach] = Int16(min(sectors - 1, Int(angle / (2 * .pi) * Double(sectors))))
                radiusOf[(dy + reach) * side + dx + reach] = Float((Double(dx * dx + dy * dy)).squareRoot())
            }
        }
        self.reach = reach
        self.side = side
        self.sectorOf = sectorOf
        self.radiusOf = radiusOf
        self.stretches = MembraneBlockPasses.SectorStretches(sectorOf: sectorOf, side: side)
        self.entries = zip(radiusOf, sectorOf).map { Entry(radius: $0, sector: Int32($1)) }
    }

    /// The tables for this reach and number of sectors, built on first use.
    static func shared(reach: Int, sectors: Int) -> MembraneLookupTables {
        cache.tables(reach: reach, sectors: sectors)
    }

    private static let cache = Cache()

    /// The tables built so far, under a lock (tiles are analysed on several threads). A run uses
    /// one pair, or a few; the cache is emptied should it ever hold `limit`.
    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var built: [SIMD2<Int>: MembraneLookupTables] = [:]
        private let limit = 16

        func tables(reach: Int, sectors: Int) -> MembraneLookupTables {
            let key = SIMD2(reach, sectors)
            lock.lock()
            defer { lock.unlock() }
            if let t = built[key] { return t }
            if built.count >= limit { built.removeAll() }
            let t = MembraneLookupTables(reach: reach, sectors: sectors)
            built[key] = t
            return t
        }
    }
}
