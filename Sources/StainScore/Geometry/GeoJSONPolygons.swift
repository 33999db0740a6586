import Foundation

/// Reads the polygons of a GeoJSON annotation file, as QuPath exports them
/// (File › Export objects as GeoJSON), for regions of interest.
///
/// Accepted: a FeatureCollection, a single Feature, a bare array of Features, or a bare
/// geometry. Polygon and MultiPolygon geometries are used (inside GeometryCollections too), with
/// their holes; other geometry types (points, lines) are skipped. Features whose
/// `properties.objectType` is set to anything but `annotation` (detections, cells, tiles) are
/// skipped, so re-reading a detection export cannot turn cells into a region. Coordinates are
/// pixels of the tile, origin at its top-left corner.
public enum GeoJSONPolygons {
    /// The polygons in `data` (the file at `path`, named in errors).
    public static func read(_ data: Data, path: String) throws -> [PixelPolygon] {
        let root: ConfigurationNode
        do {
            root = try JSONDecoder().decode(JSONNode.self, from: data).node
        } catch {
            throw InputError(path: path, message: "not valid JSON: \(PredictionReader.describe(error))")
        }
        var polygons: [PixelPolygon] = []
        try collect(root, into: &polygons, path: path)
        guard !polygons.isEmpty else {
            throw InputError(path: path, message: "no Polygon or MultiPolygon annotation found")
        }
        return polygons
    }

    static func collect(_ node: ConfigurationNode, into polygons: inout [PixelPolygon], path: String) throws {
        switch node.value {
        case .array(let items):
            for item in items { try collect(item, into: &polygons, path: path) }
        case .table(let object):
            guard case .string(let type)? = object["type"]?.value else {
                throw InputError(path: path, message: "a GeoJSON object without a \"type\"")
            }
            switch type {
            case "FeatureCollection":
                guard case .array(let features)? = object["features"]?.value else {
                    throw InputError(path: path, message: "a FeatureCollection without a \"features\" array")
                }
                for feature in features { try collect(feature, into: &polygons, path: path) }
            case "Feature":
                if case .table(let properties)? = object["properties"]?.value,
                   case .string(let objectType)? = properties["objectType"]?.value, objectType != "annotation" {
                    return
                }
                if let geometry = object["geometry"], geometry.value != .null { try collect(geometry, into: &polygons, path: path) }
            case "GeometryCollection":
                guard case .array(let geometries)? = object["geometries"]?.value else {
                    throw InputError(path: path, message: "a GeometryCollection without a \"geometries\" array")
                }
                for geometry in geometries { try collect(geometry, into: &polygons, path: path) }
            case "Polygon":
                polygons.append(try polygon(object["coordinates"], path: path))
            case "MultiPolygon":
                guard case .array(let parts)? = object["coordinates"]?.value else {
                    throw InputError(path: path, message: "a MultiPolygon without coordinates")
                }
                for part in parts { polygons.append(try polygon(part, path: path)) }
            default:
                return  // Point, LineString, …: not a region.
            }
        default:
            throw InputError(path: path, message: "expected GeoJSON objects, found \(node.typeName)")
        }
    }

    static func polygon(_ node: ConfigurationNode?, path: String) throws -> PixelPolygon {
        guard case .array(let ringNodes)? = node?.value, !ringNodes.isEmpty else {
            throw InputError(path: path, message: "a Polygon without coordinate rings")
        }
        var rings: [[SIMD2<Double>]] = []
        for ringNode in ringNodes {
            guard case .array(let points) = ringNode.value else {
                throw InputError(path: path, message: "a polygon ring that is not an array of positions")
            }
            var ring: [SIMD2<Double>] = []
            for point in points {
                guard case .array(let xy) = point.value, xy.count >= 2, let x = xy[0].number, let y = xy[1].number,
                      x.isFinite, y.isFinite else {
                    throw InputError(path: path, message: "a position that is not [x, y] with finite numbers")
                }
                ring.append(SIMD2(x, y))
            }
            guard Set(ring.map { [$0.x, $0.y] }).count >= 3 else {
                throw InputError(path: path, message: "a polygon ring with fewer than 3 distinct points")
            }
            if ring.first != ring.last { ring.append(ring[0]) }
            rings.append(ring)
        }
        return PixelPolygon(exterior: rings[0], holes: Array(rings.dropFirst()))
    }
}
