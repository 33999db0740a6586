/// The legend an overlay image carries, so that a PNG opened on its own still says what its
/// outline colours mean: a white strip below the tile with a swatch and a label for each —
/// `0`, `1+`, `2+`, `3+`, `EXCLUDED` (cells left out of the denominator) and `NUCLEUS`.
///
/// The labels are drawn with a built-in 5×7 bitmap font of the few glyphs they need (no font
/// file or library), scaled by whole pixels with the image's width. Entries that do not fit a
/// narrow image are left out whole, never cut.
public enum OverlayLegend {
    /// Rows of each glyph, top to bottom, the leftmost of five columns in bit 4.
    static let glyphs: [Character: [UInt8]] = [
        "0": [0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110],
        "1": [0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110],
        "2": [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111],
        "3": [0b11110, 0b00001, 0b00001, 0b01110, 0b00001, 0b00001, 0b11110],
        "+": [0b00000, 0b00100, 0b00100, 0b11111, 0b00100, 0b00100, 0b00000],
        "C": [0b01110, 0b10001, 0b10000, 0b10000, 0b10000, 0b10001, 0b01110],
        "D": [0b11110, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b11110],
        "E": [0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b11111],
        "L": [0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b11111],
        "N": [0b10001, 0b11001, 0b10101, 0b10011, 0b10001, 0b10001, 0b10001],
        "S": [0b01111, 0b10000, 0b10000, 0b01110, 0b00001, 0b00001, 0b11110],
        "U": [0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110],
        "X": [0b10001, 0b10001, 0b01010, 0b00100, 0b01010, 0b10001, 0b10001],
    ]

    /// The entries: label and outline colour (the nucleus outline is near-black).
    public static var entries: [(label: String, colour: (UInt8, UInt8, UInt8))] {
        HER2Score.allCases.map { ($0.label, Overlay.colour($0)) } + [("EXCLUDED", Overlay.colour(nil)), ("NUCLEUS", (20, 20, 20))]
    }

    /// Font pixels per image pixel: 1 up to 599 px wide, 2 up to 1199, then 3.
    public static func scale(width: Int) -> Int { min(3, max(1, width / 600 + 1)) }

    /// The height of the strip `appended(to:)` adds.
    public static func stripHeight(width: Int) -> Int { 13 * scale(width: width) }

    /// `image` with the legend strip added below it (the tile's pixels are not touched).
    public static func appended(to image: RGBImage) -> RGBImage {
        let w = image.width, s = scale(width: w)
        let strip = stripHeight(width: w)
        var out = RGBImage(width: w, height: image.height + strip, fill: (255, 255, 255))
        out.pixelSize = image.pixelSize
        out.pixels.replaceSubrange(0..<image.pixels.count, with: image.pixels)
        let top = image.height + 3 * s, height = out.height
        var x = 3 * s
        out.pixels.withUnsafeMutableBufferPointer { px in
            func set(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
                guard x >= 0, x < w, y >= 0, y < height else { return }
                let p = 3 * (y * w + x)
                px[p] = c.0; px[p + 1] = c.1; px[p + 2] = c.2
            }
            for (label, colour) in entries {
                let side = 7 * s
                let width = side + 2 * s + label.count * 6 * s
                guard x + width <= w else { break }
                // The swatch: an outline as the cells are drawn, two font pixels thick.
                for dy in 0..<side {
                    for dx in 0..<side where dx < 2 * s || dx >= side - 2 * s || dy < 2 * s || dy >= side - 2 * s {
                        set(x + dx, top + dy, colour)
                    }
                }
                var gx = x + side + 2 * s
                for character in label {
                    let rows = glyphs[character] ?? []
                    for (row, bits) in rows.enumerated() {
                        for column in 0..<5 where bits & (0b10000 >> UInt8(column)) != 0 {
                            for sy in 0..<s { for sx in 0..<s { set(gx + column * s + sx, top + row * s + sy, (0, 0, 0)) } }
                        }
                    }
                    gx += 6 * s
                }
                x += width + 6 * s
            }
        }
        return out
    }
}
