import Foundation
import StainScore
import Testing

@Suite("Geometry: contours, polygon filling, GeoJSON polygons")
struct GeometryTests {
    /// A label plane from rows of characters: '.' is 0, digits are labels.
    static func plane(_ rows: [String]) -> LabelImage {
        let h = rows.count, w = rows[0].count
        var values: [Int32] = []
        for row in rows { for c in row { values.append(c == "." ? 0 : Int32(String(c))!) } }
        return LabelImage(labels: Plane(width: w, height: h, values: values), count: Int(values.max() ?? 0))
    }

    static func polygons(_ labels: LabelImage, _ label: Int32) -> [PixelPolygon] {
        let bounds = ContourTracer.bounds(of: labels)[Int(label) - 1]!
        return ContourTracer.polygons(of: label, in: labels.labels, bounds: bounds)
    }

    static func pixels(_ labels: LabelImage, _ label: Int32) -> Int { labels.labels.values.filter { $0 == label }.count }

    @Test("a rectangle is its four corners, counter-clockwise in image coordinates, closed")
    func rectangle() {
        let labels = Self.plane(["....", ".11.", ".11.", ".11.", "...."])
        let p = Self.polygons(labels, 1)
        #expect(p.count == 1)
        #expect(p[0].exterior == [SIMD2(1, 1), SIMD2(3, 1), SIMD2(3, 4), SIMD2(1, 4), SIMD2(1, 1)])
        #expect(PixelPolygon.signedArea(p[0].exterior) == 6)
        #expect(p[0].holes.isEmpty)
    }

    @Test("an L-shape at the image border")
    func lShape() {
        let labels = Self.plane(["1..", "1..", "111"])
        let p = Self.polygons(labels, 1)
        #expect(p.count == 1)
        #expect(p[0].exterior == [SIMD2(0, 0), SIMD2(1, 0), SIMD2(1, 2), SIMD2(3, 2), SIMD2(3, 3), SIMD2(0, 3), SIMD2(0, 0)])
        #expect(p[0].area == 5)
    }

    @Test("a ring has a hole of negative orientation; area = pixels")
    func ring() {
        let labels = Self.plane(["11111", "1...1", "1.2.1", "1...1", "11111"])
        let p = Self.polygons(labels, 1)
        #expect(p.count == 1 && p[0].holes.count == 1)
        #expect(PixelPolygon.signedArea(p[0].holes[0]) == -9)
        #expect(p[0].area == 16)
        let inner = Self.polygons(labels, 2)
        #expect(inner.count == 1 && inner[0].area == 1)
    }

    @Test("pixels touching at a corner are separate polygons (no self-touching ring)")
    func diagonal() {
        let labels = Self.plane(["1.", ".1"])
        let p = Self.polygons(labels, 1)
        #expect(p.count == 2)
        #expect(p.allSatisfy { $0.area == 1 && $0.exterior.count == 5 })
        // The other diagonal, and a saddle inside a larger shape.
        #expect(Self.polygons(Self.plane([".1", "1."]), 1).count == 2)
        let saddle = Self.polygons(Self.plane(["11.", "11.", "..1"]), 1)
        #expect(saddle.map(\.area).sorted() == [1, 4])
    }

    @Test("random blobs: traced area equals the pixel count, rings closed, filled back to the same pixels")
    func randomBlobs() {
        var random = SplitMix(seed: 11)
        for trial in 0..<40 {
            let w = 6 + random.below(14), h = 6 + random.below(14)
            var values = [Int32](repeating: 0, count: w * h)
            // Random walk of a few labels, with holes and corners.
            for label in Int32(1)...3 {
                var x = random.below(w), y = random.below(h)
                for _ in 0..<(w * h / 3) {
                    values[y * w + x] = label
                    x = max(0, min(w - 1, x + random.below(3) - 1))
                    y = max(0, min(h - 1, y + random.below(3) - 1))
                }
            }
            let labels = LabelImage(labels: Plane(width: w, height: h, values: values), count: 3)
            let bounds = ContourTracer.bounds(of: labels)
            for label in Int32(1)...3 {
                guard let b = bounds[Int(label) - 1] else { continue }
                let polygons = ContourTracer.polygons(of: label, in: labels.labels, bounds: b)
                #expect(polygons.reduce(0) { $0 + $1.area } == Double(Self.pixels(labels, label)), "trial \(trial) label \(label)")
                for polygon in polygons {
                    #expect(polygon.exterior.first == polygon.exterior.last && PixelPolygon.signedArea(polygon.exterior) > 0)
                    for hole in polygon.holes { #expect(hole.first == hole.last && PixelPolygon.signedArea(hole) < 0) }
                }
                let filled = PolygonRasterizer.fill(polygons, width: w, height: h)
                #expect(filled.values == values.map { $0 == label ? 1 : 0 }, "trial \(trial) label \(label)")
                // Scaled by a reduction of 2, the area is 4× the pixel count.
                #expect(polygons.reduce(0) { $0 + $1.scaled(by: 2).area } == 4 * Double(Self.pixels(labels, label)))
            }
        }
    }

    @Test("filling: pixel centres inside, even-odd holes, union of polygons")
    func filling() {
        func count(_ polygons: [PixelPolygon], _ w: Int = 40, _ h: Int = 40) -> Int {
            let values: [UInt8] = PolygonRasterizer.fill(polygons, width: w, height: h).values
            return values.reduce(0) { (sum: Int, v: UInt8) -> Int in sum + Int(v) }
        }
        let square = PixelPolygon(exterior: [SIMD2(10, 10), SIMD2(20, 10), SIMD2(20, 20), SIMD2(10, 20)])
        let mask = PolygonRasterizer.fill([square], width: 40, height: 40)
        #expect(count([square]) == 100)
        #expect(mask[10, 10] == 1 && mask[19, 19] == 1 && mask[20, 15] == 0 && mask[9, 15] == 0)
        // Triangle (0,0)-(10,0)-(0,10): centres with x + y < 9 → 9 + 8 + … + 1 = 45 pixels.
        #expect(count([PixelPolygon(exterior: [SIMD2(0, 0), SIMD2(10, 0), SIMD2(0, 10)])]) == 45)
        // A hole, whatever its orientation.
        let outer: [SIMD2<Double>] = [SIMD2(0, 0), SIMD2(20, 0), SIMD2(20, 20), SIMD2(0, 20)]
        let hole: [SIMD2<Double>] = [SIMD2(5, 5), SIMD2(15, 5), SIMD2(15, 15), SIMD2(5, 15)]
        #expect(count([PixelPolygon(exterior: outer, holes: [hole])]) == 300)
        #expect(count([PixelPolygon(exterior: outer, holes: [hole.reversed()])]) == 300)
        // Two overlapping squares: their union.
        let other = PixelPolygon(exterior: [SIMD2(15, 15), SIMD2(25, 15), SIMD2(25, 25), SIMD2(15, 25)])
        #expect(count([square, other]) == 100 + 100 - 25)
        // Clipped at the image edge; far-away coordinates do not overflow.
        #expect(count([PixelPolygon(exterior: [SIMD2(-5, -5), SIMD2(1e300, -5), SIMD2(1e300, 3), SIMD2(-5, 3)])], 10, 10) == 30)
        #expect(count([]) == 0)
    }

    @Test("QuPath GeoJSON: collections, features, holes, multipolygons; detections and points skipped")
    func geoJSON() throws {
        let text = """
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "id": "a", "geometry": {"type": "Polygon", "coordinates": [
                 [[0, 0], [20, 0], [20, 20], [0, 20], [0, 0]], [[5, 5], [15, 5], [15, 15], [5, 15], [5, 5]]]},
               "properties": {"objectType": "annotation", "classification": {"name": "Tumor", "color": [200, 0, 0]}}},
              {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [
                 [[[30, 0], [32, 0], [32, 2], [30, 2]]], [[[34, 0], [36, 0], [36, 2], [34, 2]]]]}, "properties": {}},
              {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 30], [9, 30], [9, 39], [0, 39]]]},
               "properties": {"objectType": "detection"}},
              {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 1]}, "properties": {}}
            ]}
            """
        let polygons = try GeoJSONPolygons.read(Data(text.utf8), path: "roi.geojson")
        #expect(polygons.count == 3)
        #expect(polygons[0].holes.count == 1)
        #expect(polygons[1].exterior.last == SIMD2(30, 0))  // closed on reading
        let mask = PolygonRasterizer.fill(polygons, width: 40, height: 40)
        let inside: Int = mask.values.reduce(0) { $0 + Int($1) }
        #expect(inside == 308)  // 20² − 10² + 2 × 2²
        // A bare Feature, an array of features, a bare geometry.
        let polygon = #"{"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 4]]]}"#
        #expect(try GeoJSONPolygons.read(Data(polygon.utf8), path: "p").count == 1)
        #expect(try GeoJSONPolygons.read(Data("[{\"type\": \"Feature\", \"geometry\": \(polygon)}]".utf8), path: "p").count == 1)
        #expect(try GeoJSONPolygons.read(Data("{\"type\": \"Feature\", \"geometry\": \(polygon)}".utf8), path: "p").count == 1)
    }

    @Test("bad GeoJSON is an error naming the file", arguments: [
        ("not json", "not valid JSON"),
        (#"{"type": "FeatureCollection", "features": []}"#, "no Polygon or MultiPolygon"),
        (#"{"features": []}"#, "without a \"type\""),
        (#"{"type": "Polygon", "coordinates": [[[0, 0], [1, "a"], [1, 1]]]}"#, "finite numbers"),
        (#"{"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}"#, "fewer than 3 distinct points"),
    ])
    func badGeoJSON(text: String, fragment: String) {
        do {
            _ = try GeoJSONPolygons.read(Data(text.utf8), path: "roi.geojson")
            Issue.record("no error for \(text)")
        } catch let error as InputError {
            #expect(error.path == "roi.geojson")
            #expect(error.message.contains(fragment), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
