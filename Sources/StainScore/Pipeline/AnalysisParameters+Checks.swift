/// Checks of parameter values that their types cannot express, shared by configuration files
/// and command-line options.
extension AnalysisParameters {
    /// A problem with one parameter, named by its dotted configuration key.
    public struct Problem: Sendable, Equatable {
        public var key: String
        public var message: String
    }

    /// Values outside what the analysis can use; empty when all are usable.
    public func problems() -> [Problem] {
        var found: [Problem] = []
        if !(analysisMicronsPerPixel >= 0) {
            found.append(Problem(key: "analysisMicronsPerPixel", message: "must be ≥ 0 (0 = full resolution)"))
        }
        if let background {
            if background.count != 3 || !background.allSatisfy({ $0 >= 1 && $0 <= 255 }) {
                found.append(Problem(key: "background", message: "must be three numbers R, G, B in 1…255"))
            }
        }
        for (name, v) in [("stains.hematoxylin", stains.hematoxylin), ("stains.dab", stains.dab)] {
            if !((v * v).sum() > 0) || v.min() < 0 {
                found.append(Problem(key: name, message: "must be a non-zero optical-density direction with no negative component"))
            }
        }
        if membrane.sectors < 4 { found.append(Problem(key: "membrane.sectors", message: "must be at least 4")) }
        if rules.minimumTumourCells < 0 { found.append(Problem(key: "rules.minimumTumourCells", message: "must be ≥ 0")) }
        if rules.clusterMinimumCells < 1 { found.append(Problem(key: "rules.clusterMinimumCells", message: "must be ≥ 1")) }
        return found
    }

    /// Brings the stain vectors to unit length (as `StainMatrix.init` does) when a file or
    /// option gave them unnormalised; vectors already of unit length are left bit-for-bit alone.
    public mutating func normaliseStains() {
        func unit(_ v: SIMD3<Double>) -> SIMD3<Double> {
            let n = (v * v).sum().squareRoot()
            return n > 0 && abs(n - 1) > 1e-9 ? v / n : v
        }
        stains.hematoxylin = unit(stains.hematoxylin)
        stains.dab = unit(stains.dab)
    }
}
