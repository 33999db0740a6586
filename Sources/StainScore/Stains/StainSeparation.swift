/// Hematoxylin and DAB concentration planes (log10 OD units), with a per-pixel tissue code.
public struct StainPlanes: Sendable {
    public var hematoxylin: Plane<Float>
    public var dab: Plane<Float>
    /// 0 glass, 1 measurable tissue, 2 too dark or saturated to measure (folds, pigment, debris).
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
    public static func separate(_ image: RGBImage, background: SIMD3<Double>, stains: StainMatrix,
                                tissue: TissueParameters) -> StainPlanes {
        let table = OpticalDensityTable(background: background)
        let inv = stains.inverse
        let n = image.pixelCount
        var h = [Float](repeating: 0, count: n)
        var d = [Float](repeating: 0, count: n)
        var t = [UInt8](repeating: 0, count: n)
        let m00 = Float(inv[0][0]), m10 = Float(inv[1][0]), m20 = Float(inv[2][0])
        let m01 = Float(inv[0][1]), m11 = Float(inv[1][1]), m21 = Float(inv[2][1])
        let tissueThreshold = Float(tissue.minimumTissueOD), darkThreshold = Float(tissue.maximumChannelOD)
        image.pixels.withUnsafeBufferPointer { rgb in
            table.red.withUnsafeBufferPointer { lr in
                table.green.withUnsafeBufferPointer { lg in
                    table.blue.withUnsafeBufferPointer { lb in
                        h.withUnsafeMutableBufferPointer { hp in
                            d.withUnsafeMutableBufferPointer { dp in
                                t.withUnsafeMutableBufferPointer { tp in
                                    var i = 0
                                    while i < n {
                                        let r = lr[Int(rgb[3 &* i])], g = lg[Int(rgb[3 &* i &+ 1])], b = lb[Int(rgb[3 &* i &+ 2])]
                                        hp[i] = r * m00 + g * m10 + b * m20
                                        dp[i] = r * m01 + g * m11 + b * m21
                                        let sum = r + g + b
                                        let peak = max(r, max(g, b))
                                        tp[i] = sum < tissueThreshold ? 0 : (peak > darkThreshold ? 2 : 1)
                                        i &+= 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return StainPlanes(hematoxylin: Plane(width: image.width, height: image.height, values: h),
                           dab: Plane(width: image.width, height: image.height, values: d),
                           tissue: Plane(width: image.width, height: image.height, values: t))
    }
}
