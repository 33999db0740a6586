/// Hematoxylin and DAB concentration planes (log10 OD units), with a per-pixel tissue code.
public struct StainPlanes: Sendable {
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
    /// pixels at a tissue edge are unpredictable).
    @inline(__always)
    static func tissueCode(_ s: SIMD4<Float>, _ threshold: Float) -> (code: UInt8, measurable: UInt8) {
        let tissue: UInt8 = s[2] >= threshold ? 1 : 0, dark: UInt8 = s[3] > 0 ? 1 : 0
        return (tissue &+ (tissue & dark), tissue & (dark ^ 1))
    }

    /// Pixel i of `src` (RGB bytes): its table sum (R, then + G, then + B), its hematoxylin, DAB
    /// and tissue code stored at i, and the code returned.
    @inline(__always)
    static func separatePixel(_ i: Int, _ src: UnsafePointer<UInt8>, _ tab: UnsafePointer<SIMD4<Float>>,
                              _ hOut: UnsafeMutablePointer<Float>, _ dOut: UnsafeMutablePointer<Float>,
                              _ tOut: UnsafeMutablePointer<UInt8>, _ threshold: Float)
        -> (sum: SIMD4<Float>, code: UInt8, measurable: UInt8) {
        let o = 3 &* i
        let s = tab[Int(src[o])] + tab[256 &+ Int(src[o &+ 1])] + tab[512 &+ Int(src[o &+ 2])]
        hOut[i] = s[0]
        dOut[i] = s[1]
        let code = tissueCode(s, threshold)
        tOut[i] = code.code
        return (s, code.code, code.measurable)
    }

    /// `reduce`: also return the planes 2×2 box-reduced (`StainPlanes.reduced`), formed in the
    /// same pass when both sides are even (otherwise `reduced` is nil).
    public static func separate(_ image: RGBImage, background: SIMD3<Double>, stains: StainMatrix,
                                tissue: TissueParameters, reduce: Bool = false) -> StainPlanes {
        let table = channelTable(background: background, stains: stains, tissue: tissue)
        if reduce, image.width % 2 == 0, image.height % 2 == 0, image.width > 0, image.height > 0 {
            return separateReducing(image, table: table, tissue: tissue)
        }
        let n = image.pixelCount
        var h = [Float](repeating: 0, count: n)
        var d = [Float](repeating: 0, count: n)
        var t = [UInt8](repeating: 0, count: n)
        let tissueThreshold = Float(tissue.minimumTissueOD)
        var measurable = 0
        image.pixels.withUnsafeBufferPointer { rgb in
        table.withUnsafeBufferPointer { lut in
        h.withUnsafeMutableBufferPointer { hp in
        d.withUnsafeMutableBufferPointer { dp in
        t.withUnsafeMutableBufferPointer { tp in
            let src = rgb.baseAddress!, tab = lut.baseAddress!
            let hOut = hp.baseAddress!, dOut = dp.baseAddress!, tOut = tp.baseAddress!
            var i = 0
            while i < n {
                measurable &+= Int(separatePixel(i, src, tab, hOut, dOut, tOut, tissueThreshold).measurable)
                i &+= 1
            }
        }}}}}
        return StainPlanes(hematoxylin: Plane(width: image.width, height: image.height, values: h),
                           dab: Plane(width: image.width, height: image.height, values: d),
                           tissue: Plane(width: image.width, height: image.height, values: t),
                           measurableTissuePixels: measurable)
    }

    /// `separate` with the 2×2 reduction of its planes in the same pass, for even sides: each
    /// 2×2 block's four pixels are separated, stored, and averaged with the sums of
    /// `Downsample.box` (`((a₀ + a₁) + (b₀ + b₁)) × 0.25`, rows a and b), their codes combined
    /// as `Downsample.tissueCodes` does. (This is the hot path of the reduction: the general
    /// `Downsample` loops serve odd sides, other factors and callers without the stain pass.)
    static func separateReducing(_ image: RGBImage, table: [SIMD4<Float>], tissue: TissueParameters) -> StainPlanes {
        let w = image.width, hgt = image.height, cw = w / 2, ch = hgt / 2
        let tissueThreshold = Float(tissue.minimumTissueOD)
        var measurable = 0
        // Every value of the six planes is written below, so none is zeroed first.
        var d: Plane<Float>?, t: Plane<UInt8>?, ch0: Plane<Float>?, cd: Plane<Float>?, ct: Plane<UInt8>?
        let h = Plane<Float>(width: w, height: hgt) { hOut in
        d = Plane<Float>(width: w, height: hgt) { dOut in
        t = Plane<UInt8>(width: w, height: hgt) { tOut in
        ch0 = Plane<Float>(width: cw, height: ch) { chOut in
        cd = Plane<Float>(width: cw, height: ch) { cdOut in
        ct = Plane<UInt8>(width: cw, height: ch) { ctOut in
        image.pixels.withUnsafeBufferPointer { rgb in
        table.withUnsafeBufferPointer { lut in
            let src = rgb.baseAddress!, tab = lut.baseAddress!
            /// Pixel i: its table sum, its planes stored, its code returned.
            @inline(__always) func pixel(_ i: Int) -> (SIMD4<Float>, UInt8, UInt8) {
                let p = separatePixel(i, src, tab, hOut, dOut, tOut, tissueThreshold)
                return (p.sum, p.measurable, p.code >> 1)
            }
            for cy in 0..<ch {
                let a = 2 &* cy &* w, b = a &+ w, row = cy &* cw
                for cx in 0..<cw {
                    let (a0, ma0, ua0) = pixel(a &+ 2 &* cx), (a1, ma1, ua1) = pixel(a &+ 2 &* cx &+ 1)
                    let (b0, mb0, ub0) = pixel(b &+ 2 &* cx), (b1, mb1, ub1) = pixel(b &+ 2 &* cx &+ 1)
                    let mean = ((a0 + a1) + (b0 + b1)) * 0.25
                    chOut[row &+ cx] = mean[0]
                    cdOut[row &+ cx] = mean[1]
                    // Measurable and unmeasurable pixels of the block; the rest are glass.
                    let ones = ma0 &+ ma1 &+ mb0 &+ mb1, dark = ua0 &+ ua1 &+ ub0 &+ ub1
                    let glass = 4 &- ones &- dark
                    measurable &+= Int(ones)
                    let otherwise: UInt8 = dark > glass ? 2 : 0
                    ctOut[row &+ cx] = ones >= 2 ? 1 : otherwise
                }
            }
        }}}}}}}}
        return StainPlanes(hematoxylin: h, dab: d!, tissue: t!, measurableTissuePixels: measurable,
                           reduced: ReducedStainPlanes(factor: 2, hematoxylin: ch0!, dab: cd!, tissue: ct!))
    }
}
