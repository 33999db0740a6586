/// Compares point truth with the cells a scoring run detected and builds a
/// `PointValidationReport`. Never prints.
///
/// Images are paired with scored tiles by file stem (`TruthPoint.stem`: `0.png` ↔ tile `0.png`
/// or `0.jpg`), as `ihc-score score --layout files` names a tile after its file. The distances
/// in µm become pixels with `mpp` when given, else with the pixel size the scorer used for the
/// tile. See `PointMatching` for the rules.
public struct PointValidator: Sendable {
    public var parameters: CellMatchingParameters
    /// Pixel size (µm/px) given by the user; it wins over the tiles' own.
    public var mpp: Double?

    public init(parameters: CellMatchingParameters = .init(), mpp: Double? = nil) {
        self.parameters = parameters
        self.mpp = mpp
    }

    /// - Parameters:
    ///   - instances: instance masks where every nucleus is marked, for precision (nil: recall only).
    ///   - tileExtent: tile sizes the predictions do not carry (slide, tile → size), e.g. read
    ///     from the images.
    /// - Throws: `InputFileError` when a tile stem names two scored tiles or a mask's size is not
    ///   its image's; `ImageIOError` when a mask cannot be decoded.
    public func validate(points: [TruthPoint], predictions: [SlidePrediction], instances: InstanceMasks? = nil,
                         inputs: PointValidationReport.Inputs = .init(),
                         tileExtent: (String, String) -> TileExtent? = { _, _ in nil }) throws -> PointValidationReport {
        var warnings: [String] = []
        if points.isEmpty { warnings.append("\(inputs.points ?? "point truth"): no points listed") }

        // Truth images by stem, in order of first appearance.
        var order: [String] = []
        var pointsOf: [String: [TruthPoint]] = [:]
        var nameOf: [String: String] = [:]
        for p in points {
            let stem = TruthPoint.stem(p.image)
            if pointsOf[stem] == nil {
                order.append(stem)
                nameOf[stem] = p.image
            }
            pointsOf[stem, default: []].append(p)
        }

        let scored = try Self.scoredTiles(predictions, source: inputs.results ?? "predictions")
        var total = PointRecallTally()
        var precision: PointPrecisionTally?
        var images: [PointValidationReport.Image] = []
        var missing: [String] = [], notCompared: [String] = [], withoutMask: [String] = [], otherMpp: [String] = []
        for stem in order {
            let name = nameOf[stem]!, imagePoints = pointsOf[stem]!
            guard let tile = scored[stem] else {
                missing.append(name)
                continue
            }
            guard let cells = tile.cells else {
                warnings.append("\(name): the predictions carry no cells (no cells.csv); not compared")
                notCompared.append(name)
                continue
            }
            guard let extent = tile.extent ?? tileExtent(tile.slide, tile.tile) else {
                warnings.append("\(name): size of the scored tile \(tile.slide)/\(tile.tile) unknown; not compared")
                notCompared.append(name)
                continue
            }
            guard let scale = mpp ?? extent.mpp else {
                warnings.append("\(name): pixel size unknown (the predictions give none; use --mpp); not compared")
                notCompared.append(name)
                continue
            }
            if let mpp, let own = extent.mpp, abs(own - mpp) > 1e-4 * mpp { otherMpp.append("\(name) (\(own))") }
            let radius = parameters.matchDistanceMicrons / scale, margin = parameters.borderMarginMicrons / scale
            let recall = PointMatching.recall(points: imagePoints, cells: cells, width: extent.width, height: extent.height,
                                              radiusPixels: radius, marginPixels: margin)
            total.merge(recall)
            var imagePrecision: PointPrecisionTally?
            if let instances {
                if let mask = try instances.mask(stem: stem) {
                    guard mask.width == extent.width, mask.height == extent.height else {
                        throw InputFileError(path: instances.path(stem: stem),
                                             message: "mask is \(mask.width)×\(mask.height) but the image is \(extent.width)×\(extent.height)")
                    }
                    let p = PointMatching.precision(cells: cells, points: imagePoints, instances: mask,
                                                    radiusPixels: radius, marginPixels: margin)
                    imagePrecision = p
                    precision = (precision ?? PointPrecisionTally()).merged(p)
                } else {
                    withoutMask.append(name)
                }
            }
            images.append(.init(image: name, slide: tile.slide, tile: tile.tile, width: extent.width, height: extent.height,
                                mpp: scale, detectedCells: cells.count,
                                detectedTumourCells: cells.reduce(0) { $0 + ($1.kind == .tumour ? 1 : 0) },
                                pointsLeftOutAtBorder: recall.leftOutAtBorder, labels: recall.labels, total: recall.total,
                                precision: imagePrecision))
        }
        if let mpp, !otherMpp.isEmpty {
            warnings.append("--mpp \(mpp) differs from the pixel size the scorer used for \(otherMpp.count) image(s): "
                + "\(otherMpp.prefix(5).joined(separator: ", "))\(otherMpp.count > 5 ? ", …" : ""); --mpp is used")
        }
        if let instances, !withoutMask.isEmpty {
            warnings.append("\(instances.directory): no mask for \(withoutMask.count) image(s) "
                + "(\(withoutMask.prefix(5).joined(separator: ", "))\(withoutMask.count > 5 ? ", …" : "")); left out of precision")
        }
        return PointValidationReport(
            toolVersion: StainScoreVersion.version, inputs: inputs, parameters: parameters, truthImages: order.count,
            comparedImages: images.count, labels: total.labels, total: total.total,
            pointsLeftOutAtBorder: total.leftOutAtBorder, precision: precision, images: images,
            missingPredictions: missing, notCompared: notCompared, warnings: warnings)
    }

    /// A scored tile and its detected cells (nil when the predictions carry no cells).
    struct ScoredTile {
        var slide: String
        var tile: String
        var cells: [PredictedCell]?
        var extent: TileExtent?
    }

    /// The scored tiles by file stem. A slide whose tiles are unknown (no tiles listed, no cells)
    /// stands for its one file (`--layout files`) under the stem of its name.
    static func scoredTiles(_ predictions: [SlidePrediction], source: String) throws -> [String: ScoredTile] {
        var result: [String: ScoredTile] = [:]
        var bare: [(String, SlidePrediction)] = []
        for p in predictions {
            let cellsByTile = p.cells.map { Dictionary(grouping: $0, by: \.tile) }
            var tileSet = Set(p.tiles.keys)
            if let cellsByTile { tileSet.formUnion(cellsByTile.keys) }
            let tiles = tileSet.sorted()
            if tiles.isEmpty {
                bare.append((TruthPoint.stem(p.slide), p))
                continue
            }
            for tile in tiles {
                let stem = TruthPoint.stem(tile)
                if let other = result[stem] {
                    throw InputFileError(path: source, message: "tiles \(other.slide)/\(other.tile) and \(p.slide)/\(tile) have the same "
                        + "file stem '\(stem)': point truth pairs images with tiles by stem (score with --layout files)")
                }
                result[stem] = ScoredTile(slide: p.slide, tile: tile, cells: p.cells == nil ? nil : cellsByTile?[tile] ?? [],
                                          extent: p.tiles[tile])
            }
        }
        for (stem, p) in bare where result[stem] == nil {
            result[stem] = ScoredTile(slide: p.slide, tile: p.slide, cells: p.cells == nil ? nil : [], extent: nil)
        }
        return result
    }
}

extension PointPrecisionTally {
    func merged(_ other: PointPrecisionTally) -> PointPrecisionTally {
        var copy = self
        copy.merge(other)
        return copy
    }
}
