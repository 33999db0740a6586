#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable byte buffer that the report writers format into — numbers included — without
/// Foundation and without a heap allocation per value: `cells.csv` rows and GeoJSON features are
/// built here and handed to the file in one write per tile.
///
/// Numbers are spelled exactly as the C library's `printf` spells them (`%.Nf`, `%d`), so the
/// files are byte-for-byte those `String(format:)` made; `fixed` computes the rounding exactly
/// (see `appendFixed`) instead of calling `printf`, which costs a few hundred nanoseconds a call.
public final class TextBuffer {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written so far.
    public private(set) var count = 0

    public init(capacity: Int = 1 << 16) {
        self.capacity = Swift.max(64, capacity)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// Forgets the content, keeping the memory.
    public func removeAll() { count = 0 }

    /// The bytes written, valid until the next change.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    /// The content as a string (for tests and small texts).
    public var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }

    /// Makes room for `extra` more bytes.
    @inline(__always) private func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(count &+ extra) }
    }

    private func grow(_ needed: Int) {
        var newCapacity = capacity &* 2
        while newCapacity < needed { newCapacity &*= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: storage, count: count)
        storage.deallocate()
        storage = bigger
        capacity = newCapacity
    }

    /// Appends one byte.
    @inline(__always) public func append(byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count &+= 1
    }

    /// Appends raw bytes.
    public func append(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (storage + count).update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count &+= bytes.count
    }

    /// Appends an array of bytes (pre-spelled fragments).
    @inline(__always) public func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Appends a literal (ASCII or UTF-8).
    @inline(__always) public func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends a string's UTF-8.
    public func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends a whole number in decimal (`%d`).
    @inline(__always) public func append(int value: Int) {
        reserve(20)
        count &+= Self.write(int: value, to: storage + count)
    }

    /// Appends `value` with `digits` decimals as `CSVFormatting.fixed` spells it: `%.Nf` in the
    /// C locale, nothing for a non-finite value, and no minus sign when every written digit is
    /// zero (`-0.00` is written `0.00`).
    public func appendFixed(_ value: Double, _ digits: Int) {
        guard value.isFinite else { return }
        guard digits >= 0, digits <= 6, Swift.abs(value) < 1e12 else { return appendPrintf(value, digits) }
        reserve(24)
        count &+= Self.write(fixed: value, digits: digits, to: storage + count)
    }

    /// Runs `body` with room for `maximum` bytes at the end of the buffer; `body` writes there
    /// and returns how many bytes it wrote. For writers that spell many values in a row (a
    /// polygon's points) with the pointer-level `write` functions, one reservation for all.
    @inline(__always) public func appendUnsafe(maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(maximum)
        count &+= body(storage + count)
    }

    // MARK: Pointer-level spelling (the caller has made room)

    /// Spells `value` in decimal at `p` (at most 20 bytes); returns the bytes written.
    @inline(__always) public static func write(int value: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        if value < 0 {
            p[0] = UInt8(ascii: "-")
            return 1 &+ write(unsigned: UInt64(value.magnitude), minimumDigits: 1, to: p + 1)
        }
        return write(unsigned: UInt64(value), minimumDigits: 1, to: p)
    }

    /// Spells `value` in decimal at `p` with at least `minimumDigits` digits (leading zeros);
    /// returns the bytes written.
    @inline(__always) static func write(unsigned value: UInt64, minimumDigits: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        var digits = 1
        var probe = value
        while probe >= 100 { probe /= 100; digits &+= 2 }
        if probe >= 10 { digits &+= 1 }
        if digits < minimumDigits { digits = minimumDigits }
        var v = value
        var at = digits
        // Two digits per division, from the table of "00"…"99".
        twoDigits.withUnsafeBufferPointer { table in
            while at >= 2 {
                let pair = Int(truncatingIfNeeded: v % 100) &* 2
                v /= 100
                at &-= 2
                p[at] = table[pair]
                p[at &+ 1] = table[pair &+ 1]
            }
        }
        if at == 1 { p[0] = UInt8(truncatingIfNeeded: v % 10) &+ 48 }
        return digits
    }

    /// "00" "01" … "99", the digits of two-digit groups.
    private static let twoDigits: [UInt8] = {
        var table: [UInt8] = []
        for n in 0..<100 {
            let tens = UInt8(truncatingIfNeeded: n / 10), ones = UInt8(truncatingIfNeeded: n % 10)
            table.append(48 + tens)
            table.append(48 + ones)
        }
        return table
    }()

    /// Powers of ten up to 10⁶.
    private static let powers: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (1, 10, 100, 1_000, 10_000, 100_000, 1_000_000)

    @inline(__always) private static func power(_ digits: Int) -> UInt64 {
        switch digits {
        case 0: powers.0
        case 1: powers.1
        case 2: powers.2
        case 3: powers.3
        case 4: powers.4
        case 5: powers.5
        default: powers.6
        }
    }

    /// Spells a finite `value` with `digits` (0…6) decimals at `p` (at most 24 bytes; |value|
    /// below 10¹²) as `appendFixed` does; returns the bytes written.
    ///
    /// `printf` rounds the exact binary value to nearest, ties (exactly representable halves such
    /// as 0.125) to even. The value is m·2ᵉ with a 53-bit m, so m·10ᴺ fits in 128 bits and the
    /// quotient and remainder of the shift by −e give that rounding exactly.
    public static func write(fixed value: Double, digits: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let a = Swift.abs(value)
        let scale = power(digits)
        var q: UInt64 = 0
        if a >= 0x1p-40 {
            // a = m · 2^(exponent − 52), a normal number here.
            let m = UInt128(a.significandBitPattern | (1 << 52))
            let shift = 52 &- Int(a.exponent)
            let product = m &* UInt128(scale)
            if shift <= 0 {
                q = UInt64(truncatingIfNeeded: product << UInt128(-shift))
            } else {
                let s = UInt128(shift)
                let quotient = product >> s
                let remainder = product & ((1 << s) &- 1)
                let half: UInt128 = 1 << (s &- 1)
                q = UInt64(truncatingIfNeeded: quotient)
                if remainder > half || (remainder == half && q & 1 == 1) { q &+= 1 }
            }
        }
        var n = 0
        if value < 0, q != 0 {
            p[0] = UInt8(ascii: "-")
            n = 1
        }
        if digits == 0 { return n &+ write(unsigned: q, minimumDigits: 1, to: p + n) }
        n &+= write(unsigned: q / scale, minimumDigits: 1, to: p + n)
        p[n] = UInt8(ascii: ".")
        n &+= 1
        return n &+ write(unsigned: q % scale, minimumDigits: digits, to: p + n)
    }

    /// `%.Nf` by the C library, for values outside `appendFixed`'s exact range.
    private func appendPrintf(_ value: Double, _ digits: Int) {
        var text = [CChar](repeating: 0, count: 400)
        let n = withVaList([Int32(digits), value]) { vsnprintf(&text, text.count, "%.*f", $0) }
        guard n > 0 else { return }
        let bytes = text.prefix(Swift.min(Int(n), text.count - 1)).map { UInt8(bitPattern: $0) }
        if bytes.first == UInt8(ascii: "-"), bytes.dropFirst().allSatisfy({ $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ".") }) {
            append(Array(bytes.dropFirst()))
        } else {
            append(bytes)
        }
    }
}
