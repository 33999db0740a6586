#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The tumour cells of one slide as a fixed-size 2-D histogram of membrane completeness (x)
/// against membrane intensity (y), per cell class — what `report.html` draws as its scatter.
///
/// Why a histogram rather than the cells: a slide may hold hundreds of thousands of cells, which
/// a batch streams to `cells.csv` without keeping them; the histogram is filled as they pass
/// (no allocation per cell) and its size, and so the chart's, does not grow with the slide.
///
/// Bins are 0.025 wide on both axes: completeness 0–1 in 40 bins (1.0 in the last), intensity
/// 0–1.2 log10 DAB OD in 48 bins (higher values in the last). Values are binned as `cells.csv`
/// writes them (four decimals), so a slide re-read from its saved rows on `--resume` gives the
/// same histogram, bin for bin, as when its cells were measured.
public struct MembraneHistogram: Sendable, Hashable {
    public static let completenessBins = 40
    public static let intensityBins = 48
    /// Bin width in units of 0.0001 (the last decimal `cells.csv` writes).
    public static let binUnits = 250
    /// The top of the intensity axis (log10 DAB OD); cells above count in the last bin.
    public static var intensityTop: Double { Double(intensityBins * binUnits) / 10_000 }

    /// Cells per class, intensity bin and completeness bin: `[(class × intensityBins + i) × completenessBins + c]`.
    public private(set) var counts: [UInt32]
    /// Tumour cells added (those with a finite intensity and completeness).
    public private(set) var cells = 0
    /// Of those, cells whose intensity lies above `intensityTop` (drawn in the top row).
    public private(set) var aboveTop = 0

    public init() {
        counts = [UInt32](repeating: 0, count: 4 * Self.intensityBins * Self.completenessBins)
    }

    /// The count of one bin.
    public func count(cellClass: HER2Score, intensityBin i: Int, completenessBin c: Int) -> Int {
        Int(counts[(cellClass.rawValue * Self.intensityBins + i) * Self.completenessBins + c])
    }

    /// The count of one bin over every class.
    public func total(intensityBin i: Int, completenessBin c: Int) -> Int {
        var n = 0
        for k in 0..<4 { n += Int(counts[(k * Self.intensityBins + i) * Self.completenessBins + c]) }
        return n
    }

    /// Adds a measured cell; excluded cells are not part of the chart (the class cut-offs apply
    /// to tumour cells) and are skipped.
    public mutating func add(_ cell: CellMeasurement) {
        guard cell.kind == .tumour,
              let i = Self.units(cell.membrane.intensity), let c = Self.units(cell.membrane.completeness) else { return }
        add(intensityUnits: i, completenessUnits: c, cellClass: cell.cellClass)
    }

    /// Adds a tumour cell given in units of 0.0001.
    public mutating func add(intensityUnits: Int, completenessUnits: Int, cellClass: HER2Score) {
        let i = max(0, intensityUnits) / Self.binUnits
        let c = max(0, completenessUnits) / Self.binUnits
        if i >= Self.intensityBins { aboveTop += 1 }
        let index = (cellClass.rawValue * Self.intensityBins + min(i, Self.intensityBins - 1)) * Self.completenessBins
            + min(c, Self.completenessBins - 1)
        counts[index] &+= 1
        cells += 1
    }

    /// `value` in units of 0.0001 as `CSVFormatting.fixed(value, 4)` writes it (nil when it writes
    /// nothing: not finite). The product rounds like the text except within a hair of a half-way
    /// case, where the formatted text itself decides.
    public static func units(_ value: Double) -> Int? {
        guard value.isFinite else { return nil }
        let scaled = value * 10_000
        guard abs(scaled) < 1e12 else { return scaled < 0 ? 0 : Int.max / 2 }
        let fraction = abs(scaled - scaled.rounded(.down))
        if abs(fraction - 0.5) > 1e-6 { return Int(scaled.rounded(.toNearestOrAwayFromZero)) }
        return parseUnits(Array(CSVFormatting.fixed(value, 4).utf8)[...])
    }

    /// A decimal number as written in `cells.csv` (`-?digits[.digits]`), in units of 0.0001
    /// (decimals beyond the fourth are dropped); nil when empty or not a number.
    static func parseUnits(_ text: ArraySlice<UInt8>) -> Int? {
        var negative = false
        var whole = 0, fraction = 0, decimals = 0, digits = 0
        var afterPoint = false
        for (k, b) in text.enumerated() {
            if b == UInt8(ascii: "-"), k == 0 { negative = true; continue }
            if b == UInt8(ascii: "."), !afterPoint { afterPoint = true; continue }
            guard b >= 48 && b <= 57 else { return nil }
            digits += 1
            if afterPoint {
                if decimals < 4 { fraction = fraction * 10 + Int(b - 48); decimals += 1 }
            } else {
                guard whole < 1 << 40 else { return nil }
                whole = whole * 10 + Int(b - 48)
            }
        }
        guard digits > 0 else { return nil }
        while decimals < 4 { fraction *= 10; decimals += 1 }
        let value = whole * 10_000 + fraction
        return negative ? -value : value
    }

    /// The histogram of the tumour cells in a `cells.csv` file or a slide's saved rows (with or
    /// without the header line), read as a stream: memory does not depend on the file's size.
    public init(cellsCSV path: String) throws {
        self.init()
        guard let file = fopen(path, "rb") else {
            throw ImageIOError(.cannotRead, path: path, message: "cannot open file: \(FileBytes.systemMessage())")
        }
        defer { fclose(file) }
        let kindColumn = CellsCSV.columns.firstIndex(of: "kind")!
        let classColumn = CellsCSV.columns.firstIndex(of: "class")!
        let intensityColumn = CellsCSV.columns.firstIndex(of: "intensity")!
        let completenessColumn = CellsCSV.columns.firstIndex(of: "completeness")!
        let last = max(kindColumn, classColumn, intensityColumn, completenessColumn)
        var fields = [[UInt8]](repeating: [], count: last + 1)
        for k in fields.indices { fields[k].reserveCapacity(16) }
        var column = 0, quoted = false, quoteSeen = false
        var buffer = [UInt8](repeating: 0, count: 1 << 16)

        func endRecord() {
            defer {
                column = 0
                for k in fields.indices { fields[k].removeAll(keepingCapacity: true) }
            }
            guard column >= last, fields[kindColumn] == Array("tumour".utf8),
                  let k = Self.parseUnits(fields[classColumn][...]), k >= 0, k % 10_000 == 0,
                  let cellClass = HER2Score(rawValue: k / 10_000),
                  let i = Self.parseUnits(fields[intensityColumn][...]),
                  let c = Self.parseUnits(fields[completenessColumn][...]) else { return }
            add(intensityUnits: i, completenessUnits: c, cellClass: cellClass)
        }

        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            for b in buffer[0..<n] {
                if quoted {
                    if b == UInt8(ascii: "\"") { quoted = false; quoteSeen = true } else if column <= last { fields[column].append(b) }
                    continue
                }
                switch b {
                case UInt8(ascii: "\""):
                    // A doubled quote inside a quoted field is one quote.
                    if quoteSeen, column <= last { fields[column].append(b) }
                    quoted = true
                case UInt8(ascii: ","):
                    column += 1
                case 10:
                    endRecord()
                case 13:
                    break
                default:
                    if column <= last { fields[column].append(b) }
                }
                quoteSeen = false
            }
            if n < buffer.count {
                if ferror(file) != 0 { throw ImageIOError(.cannotRead, path: path, message: "read failed: \(FileBytes.systemMessage())") }
                break
            }
        }
        if column > 0 || fields.contains(where: { !$0.isEmpty }) { endRecord() }
    }
}
