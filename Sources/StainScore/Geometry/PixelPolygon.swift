/// A polygon with an exterior ring and holes, in pixel-corner coordinates: pixel (i, j) covers
/// the square [i, i+1] × [j, j+1], so the origin is the top-left corner of the image (QuPath's
/// convention, and GeoJSON's for images).
///
/// Rings are closed (the last point repeats the first). The exterior has a positive shoelace
/// area ½ Σ (xᵢ yᵢ₊₁ − xᵢ₊₁ yᵢ) — counter-clockwise in the coordinates as written (RFC 7946's
/// right-hand rule), which is clockwise on screen because y points down — and holes negative.
public struct PixelPolygon: Sendable, Hashable {
    public var exterior: [SIMD2<Double>]
    public var holes: [[SIMD2<Double>]]

    public init(exterior: [SIMD2<Double>], holes: [[SIMD2<Double>]] = []) {
        self.exterior = exterior
        self.holes = holes
    }

    /// Signed shoelace area of one ring (positive counter-clockwise in the written coordinates).
    public static func signedArea(_ ring: [SIMD2<Double>]) -> Double {
        guard ring.count >= 3 else { return 0 }
        var twice = 0.0
        for k in 0..<(ring.count - 1) {
            twice += ring[k].x * ring[k + 1].y - ring[k + 1].x * ring[k].y
        }
        if ring.first != ring.last, let a = ring.last, let b = ring.first { twice += a.x * b.y - b.x * a.y }
        return twice / 2
    }

    /// Area enclosed: the exterior's minus its holes'.
    public var area: Double {
        abs(Self.signedArea(exterior)) - holes.reduce(0) { $0 + abs(Self.signedArea($1)) }
    }

    /// Every ring, exterior first.
    public var rings: [[SIMD2<Double>]] { [exterior] + holes }

    /// The polygon with every coordinate multiplied by `factor` (analysis pixels → tile pixels).
    public func scaled(by factor: Double) -> PixelPolygon {
        guard factor != 1 else { return self }
        return PixelPolygon(exterior: exterior.map { $0 * factor }, holes: holes.map { $0.map { $0 * factor } })
    }

    /// Even-odd point-in-ring test (a point on an edge may go either way).
    public static func ring(_ ring: [SIMD2<Double>], contains p: SIMD2<Double>) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let a = ring[i], b = ring[j]
            if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
            j = i
        }
        return inside
    }
}
