/// Hematoxylin and DAB concentration planes (log10 OD units), with a per-pixel tissue code.
public struct StainPlanes: Sendable {
    public var hematoxylin: Plane<Float>
    public var dab: Plane<Float>
    /// 0 glass, 1 measurable tissue, 2 too dark or saturated to measure (folds, pigment, debris).
    public var tissue: Plane<UInt8>
    /// How many pixels are measurable tissue (code 1), counted in the same pass.
    public var measurableTissuePixels: Int
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

    public static func separate(_ image: RGBImage, background: SIMD3<Double>, stains: StainMatrix,
                                tissue: TissueParameters) -> StainPlanes {
        let table = channelTable(background: background, stains: stains, tissue: tissue)
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
                let o = 3 &* i
                let s = tab[Int(src[o])] + tab[256 &+ Int(src[o &+ 1])] + tab[512 &+ Int(src[o &+ 2])]
                hOut[i] = s[0]
                dOut[i] = s[1]
                let code: UInt8 = s[2] < tissueThreshold ? 0 : (s[3] > 0 ? 2 : 1)
                tOut[i] = code
                measurable &+= code == 1 ? 1 : 0
                i &+= 1
            }
        }}}}}
        return StainPlanes(hematoxylin: Plane(width: image.width, height: image.height, values: h),
                           dab: Plane(width: image.width, height: image.height, values: d),
                           tissue: Plane(width: image.width, height: image.height, values: t),
                           measurableTissuePixels: measurable)
    }
}
