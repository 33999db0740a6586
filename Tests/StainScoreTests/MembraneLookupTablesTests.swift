import Foundation
import Testing
@testable import StainScore

/// The membrane lookup tables, built once per (reach, sectors) and shared across tiles.
@Suite("Membrane lookup tables")
struct MembraneLookupTablesTests {
    @Test("the shared tables are the ones built afresh, whichever thread asks", arguments: [(3, 4), (7, 36), (7, 12), (32, 36), (10, 7)])
    func sharedEqualsFresh(_ pair: (Int, Int)) async {
        let (reach, sectors) = pair
        let fresh = MembraneLookupTables(reach: reach, sectors: sectors)
        let shared = await withTaskGroup(of: MembraneLookupTables.self) { group in
            for _ in 0..<8 { group.addTask { MembraneLookupTables.shared(reach: reach, sectors: sectors) } }
            var all: [MembraneLookupTables] = []
            for await t in group { all.append(t) }
            return all
        }
        for t in shared {
            #expect(t.side == 2 * reach + 1)
            #expect(t.sectorOf == fresh.sectorOf)
            #expect(t.radiusOf == fresh.radiusOf)
            #expect(t.stretches.end == fresh.stretches.end && t.stretches.sector == fresh.stretches.sector
                    && t.stretches.at == fresh.stretches.at)
        }
    }

    /// The convention, by hand: the angle is measured from +π, so an offset to the right is at
    /// half the sectors, one upwards (dy < 0) at a quarter, one downwards at three quarters, and
    /// one to the left in the last sector; the centre has none.
    @Test("sectors and radii follow the documented convention")
    func convention() {
        let t = MembraneLookupTables.shared(reach: 5, sectors: 36)
        func at(_ dx: Int, _ dy: Int) -> (sector: Int16, radius: Float) {
            let i = (dy + 5) * t.side + dx + 5
            return (t.sectorOf[i], t.radiusOf[i])
        }
        #expect(at(0, 0).sector == -1 && at(0, 0).radius == 0)
        #expect(at(3, 0).sector == 18 && at(3, 0).radius == 3)
        #expect(at(0, -4).sector == 9 && at(0, -4).radius == 4)
        #expect(at(0, 2).sector == 27)
        #expect(at(-5, 0).sector == 35)
        #expect(at(3, 4).radius == 5 && at(-3, -4).radius == 5)
        // 45° below the right-hand axis: atan2(1, 1) + π = 5π/4, sector ⌊36 · 5/8⌋ = 22.
        #expect(at(2, 2).sector == 22)
    }
}
