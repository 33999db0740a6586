/// Scan-line filling of polygons into a pixel mask, for regions of interest drawn in QuPath.
///
/// A pixel (i, j) is inside when its centre (i + ½, j + ½) is inside the polygon by the
/// **even-odd** rule over all the polygon's rings — so holes are respected whatever their
/// orientation — and the result is the **union** over polygons (overlapping annotations add up,
/// they do not cancel). Coordinates are pixel-corner coordinates (origin at the top-left corner
/// of the image, QuPath's convention).
public enum PolygonRasterizer {
    /// A `width × height` mask: 1 inside any of `polygons`, 0 elsewhere.
    public static func fill(_ polygons: [PixelPolygon], width: Int, height: Int) -> Plane<UInt8> {
        var mask = Plane<UInt8>(width: width, height: height, repeating: 0)
        for polygon in polygons { fill(polygon, into: &mask) }
        return mask
    }

    /// Sets to 1 the pixels of `mask` inside `polygon`.
    public static func fill(_ polygon: PixelPolygon, into mask: inout Plane<UInt8>) {
        var edges: [(a: SIMD2<Double>, b: SIMD2<Double>)] = []
        var minY = Double.infinity, maxY = -Double.infinity
        for ring in polygon.rings where ring.count >= 2 {
            for k in 0..<ring.count {
                let a = ring[k], b = ring[(k + 1) % ring.count]
                if a == b { continue }
                edges.append((a, b))
                minY = min(minY, a.y, b.y)
                maxY = max(maxY, a.y, b.y)
            }
        }
        guard !edges.isEmpty, minY.isFinite, maxY.isFinite else { return }
        let w = mask.width
        // Clamped before converting: coordinates far outside the image must not overflow Int.
        func index(_ v: Double, _ limit: Int) -> Int { Int(max(-1, min(Double(limit) + 1, v))) }
        let firstRow = max(0, index((minY - 0.5).rounded(.up), mask.height))
        let lastRow = min(mask.height - 1, index((maxY - 0.5).rounded(.down), mask.height))
        guard firstRow <= lastRow else { return }
        var crossings: [Double] = []
        mask.values.withUnsafeMutableBufferPointer { m in
            for row in firstRow...lastRow {
                let yc = Double(row) + 0.5
                crossings.removeAll(keepingCapacity: true)
                for (a, b) in edges where (a.y <= yc) != (b.y <= yc) {
                    crossings.append(a.x + (yc - a.y) * (b.x - a.x) / (b.y - a.y))
                }
                crossings.sort()
                var k = 0
                while k + 1 < crossings.count {
                    // Pixels whose centre x + ½ lies in [left, right).
                    let start = max(0, index((crossings[k] - 0.5).rounded(.up), w))
                    let end = min(w, index((crossings[k + 1] - 0.5).rounded(.up), w))
                    if start < end {
                        let base = row &* w
                        for x in start..<end { m[base &+ x] = 1 }
                    }
                    k += 2
                }
            }
        }
    }
}
