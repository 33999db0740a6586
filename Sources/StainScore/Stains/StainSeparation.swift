/// Hematoxylin and DAB concentration planes (log10 OD units), with a per-pixel tissue code.
public struct StainPlanes: Sendable {
    /// Empty (0 × 0) when the reduced planes were formed and the full-resolution hematoxylin
    /// was not asked for (`separate(…, reduce: true, fullHematoxylin: false)`).
    public var hematoxylin: Plane<Float>
    public var dab: Plane<Float>
    /// 0 glass, 1 measurable tissue, 2 too dark or saturated to measure (folds, pigment, debris).
    public var tissue: Plane<UInt8>
    /// How many pixels are measurable tissue (code 1), counted in the same pass.
    public var measurableTissuePixels: Int
    /// The three planes 2×2 box-reduced in the same pass, when asked for (`separate(…, reduce:)`)
    /// and the image has even sides: the values `Downsample.box` and `Downsample.tissueCodes`
    /// give, without reading the full planes again.
    public var reduced: ReducedStainPlanes? = nil
}

/// Stain planes reduced by an integer factor (block means; tissue codes by block majority).
public struct ReducedStainPlanes: Sendable {
    public var factor: Int
    public var hematoxylin: Plane<Float>
    public var dab: Plane<Float>
    public var tissue: Plane<UInt8>
}

/// The thresholds that tell glass, tissue and unmeasurable pixels apart.
public struct TissueParameters: Sendable, Hashable, Codable {
    /// Summed RGB optical density above which a pixel is tissue rather than glass.
    public var minimumTissueOD: Double = 0.08
    /// A channel optical density above which a pixel is too dark or saturated to measure.
    public var maximumChannelOD: Double = 1.6
    public init() {}
}

/// Colour deconvolution (Ruifrok & Johnston 2001): RGB → OD via a lookup table, then the 3×3
/// inverse stain matrix, straight to compact planes, in one pass over the pixels.
public enum StainSeparation {
    /// One table entry per channel value: (H contribution, DAB contribution, OD, 1 if the
    /// channel alone is too dark to measure). A pixel is the lane-wise sum of its three
    /// channels' entries, so the per-pixel work is three 16-byte loads and two vector adds; the
    /// sums are formed in the same order (R + G, then + B) as the 3×3 product they replace.
    static func channelTable(background: SIMD3<Double>, stains: StainMatrix, tissue: TissueParameters) -> [SIMD4<Float>] {
        let od = OpticalDensityTable(background: background)
        let inv = stains.inverse
        let dark = Float(tissue.maximumChannelOD)
        var table = [SIMD4<Float>](repeating: .zero, count: 768)
        for (c, channel) in [od.red, od.green, od.blue].enumerated() {
            let mh = Float(inv[c][0]), md = Float(inv[c][1])
            for v in 0..<256 {
                let x = channel[v]
                table[c * 256 + v] = SIMD4(x * mh, x * md, x, x > dark ? 1 : 0)
            }
        }
        return table
    }

    /// A pixel's tissue code from its table sum — 0 glass (OD below `threshold`), 2 too dark in
    /// some channel, else 1 — and 1 if the code is 1; without a jump (the codes of neighbouring
    /// pixels at a tissue edge are unpredictable). `storeRow` forms the same eight at a time.
    @inline(__always)
    static func tissueCode(_ s: SIMD4<Float>, _ threshold: Float) -> (code: UInt8, measurable: UInt8) {
        let tissue: UInt8 = s[2] >= threshold ? 1 : 0, dark: UInt8 = s[3] > 0 ? 1 : 0
        return (tissue &+ (tissue & dark), tissue & (dark ^ 1))
    }

    /// `reduce`: also return the planes 2×2 box-reduced (`StainPlanes.reduced`), formed in the
    /// same pass when both sides are even (otherwise `reduced` is nil). `fullHematoxylin: false`
    /// leaves out the full-resolution hematoxylin plane when the reduced planes are formed
    /// (`StainPlanes.hematoxylin` is then empty), for a caller that reads only the reduced one.
    public static func separate(_ image: RGBImage, background: SIMD3<Double>, stains: StainMatrix,
                                tissue: TissueParameters, reduce: Bool = false, fullHematoxylin: Bool = true) -> StainPlanes {
        let table = channelTable(background: background, stains: stains, tissue: tissue)
        if reduce, image.width % 2 == 0, image.height % 2 == 0, image.width > 0, image.height > 0 {
            return separateReducing(image, table: table, tissue: tissue, fullHematoxylin: fullHematoxylin)
        }
        let w = image.width, hgt = image.height
        let tissueThreshold = Float(tissue.minimumTissueOD)
        var measurable = 0
        var sums = [SIMD4<Float>](repeating: .zero, count: w)
        // Every value of the three planes is written below, so none is zeroed first.
        var d: Plane<Float>?, t: Plane<UInt8>?
        let h = Plane<Float>(width: w, height: hgt) { hOut in
        d = Plane<Float>(width: w, height: hgt) { dOut in
        t = Plane<UInt8>(width: w, height: hgt) { tOut in
        image.pixels.withUnsafeBufferPointer { rgb in
        table.withUnsafeBufferPointer { lut in
        sums.withUnsafeMutableBufferPointer { row in
            let src = rgb.baseAddress!, tab = lut.baseAddress!, buffer = row.baseAddress!
            for y in 0..<hgt {
                measurable &+= separateRow(y, width: w, src, tab, buffer, hOut, dOut, tOut, tissueThreshold)
            }
        }}}}}}
        return StainPlanes(hematoxylin: h, dab: d!, tissue: t!, measurableTissuePixels: measurable)
    }

    /// `separate` with the 2×2 reduction of its planes in the same pass, for even sides: each
    /// pair of rows is separated and stored, then reduced while it is still in the cache
    /// (`reduceRows`: the sums of `Downsample.box`, `((a₀ + a₁) + (b₀ + b₁)) × 0.25` for rows a
    /// and b, and the codes of `Downsample.tissueCodes`). This is the hot path of the reduction:
    /// the general `Downsample` loops serve odd sides, other factors and callers without the
    /// stain pass.
    ///
    /// Without `fullHematoxylin` the hematoxylin rows go through two rows of scratch, are
    /// reduced and dropped (`StainPlanes.hematoxylin` is then empty): four bytes a pixel that are
    /// neither written to memory nor read again, when only the reduced plane is wanted.
    static func separateReducing(_ image: RGBImage, table: [SIMD4<Float>], tissue: TissueParameters,
                                 fullHematoxylin: Bool = true) -> StainPlanes {
        let w = image.width, hgt = image.height, cw = w / 2, ch = hgt / 2
        let tissueThreshold = Float(tissue.minimumTissueOD)
        var measurable = 0
        var sums = [SIMD4<Float>](repeating: .zero, count: w)
        var scratch = [Float](repeating: 0, count: fullHematoxylin ? 0 : 2 * w)
        // Every value of the planes is written below, so none is zeroed first.
        var d: Plane<Float>?, t: Plane<UInt8>?, ch0: Plane<Float>?, cd: Plane<Float>?, ct: Plane<UInt8>?
        // The pass, storing the hematoxylin in the full plane at `hFull`, or in the scratch rows.
        func pass(_ hFull: UnsafeMutablePointer<Float>?) {
            d = Plane<Float>(width: w, height: hgt) { dOut in
            t = Plane<UInt8>(width: w, height: hgt) { tOut in
            ch0 = Plane<Float>(width: cw, height: ch) { chOut in
            cd = Plane<Float>(width: cw, height: ch) { cdOut in
            ct = Plane<UInt8>(width: cw, height: ch) { ctOut in
            image.pixels.withUnsafeBufferPointer { rgb in
            table.withUnsafeBufferPointer { lut in
            scratch.withUnsafeMutableBufferPointer { scratchRows in
            sums.withUnsafeMutableBufferPointer { row in
                let src = rgb.baseAddress!, tab = lut.baseAddress!, buffer = row.baseAddress!
                for cy in 0..<ch {
                    let a = 2 &* cy &* w, b = a &+ w, c = cy &* cw
                    let ha = hFull.map { $0 + a } ?? scratchRows.baseAddress!, hb = hFull.map { $0 + b } ?? ha + w
                    sumRow(src + 3 &* a, w, tab, buffer)
                    measurable &+= storeRow(buffer, w, ha, dOut + a, tOut + a, tissueThreshold)
                    sumRow(src + 3 &* b, w, tab, buffer)
                    measurable &+= storeRow(buffer, w, hb, dOut + b, tOut + b, tissueThreshold)
                    reduceRows(ha, hb, dOut + a, dOut + b, tOut + a, tOut + b, cw, chOut + c, cdOut + c, ctOut + c)
                }
            }}}}}}}}}
        }
        let h: Plane<Float>
        if fullHematoxylin {
            h = Plane<Float>(width: w, height: hgt) { pass($0) }
        } else {
            pass(nil)
            h = Plane<Float>(width: 0, height: 0, repeating: 0)
        }
        return StainPlanes(hematoxylin: h, dab: d!, tissue: t!, measurableTissuePixels: measurable,
                           reduced: ReducedStainPlanes(factor: 2, hematoxylin: ch0!, dab: cd!, tissue: ct!))
    }
}
