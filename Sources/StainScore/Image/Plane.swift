/// A single-channel image: `width × height` values, row-major, no padding.
///
/// Used for optical-density planes (`Plane<Float>`, log10 units), masks (`Plane<UInt8>`,
/// 0 or 1) and label images. Kernels reach the storage through `withUnsafe…` only.
public struct Plane<Element: Sendable>: Sendable {
    public let width: Int
    public let height: Int
    public var values: [Element]

    public init(width: Int, height: Int, repeating value: Element) {
        precondition(width >= 0 && height >= 0)
        self.width = width
        self.height = height
        self.values = [Element](repeating: value, count: width * height)
    }

    public init(width: Int, height: Int, values: [Element]) {
        precondition(values.count == width * height, "Plane needs width × height values")
        self.width = width
        self.height = height
        self.values = values
    }

    /// A plane whose `width × height` values `initialize` writes — every one of them, through
    /// the pointer it is given: the storage is not zeroed first, which would be a wasted pass
    /// over memory for a kernel that writes each value anyway.
    public init(width: Int, height: Int, initializingWith initialize: (UnsafeMutablePointer<Element>) -> Void) {
        precondition(width >= 0 && height >= 0)
        self.width = width
        self.height = height
        let n = width * height
        self.values = [Element](unsafeUninitializedCapacity: n) { buffer, count in
            if n > 0 { initialize(buffer.baseAddress!) }
            count = n
        }
    }

    public var count: Int { width * height }

    public subscript(x: Int, y: Int) -> Element {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }
}

extension Plane: Equatable where Element: Equatable {}

/// Connected regions numbered 1…count; 0 is background.
public struct LabelImage: Sendable, Equatable {
    public var labels: Plane<Int32>
    /// The largest label in use.
    public var count: Int
    /// When `labels` is exactly the block upsampling of coarser labels (a segmentation made at a
    /// multiple of the pixel size): those labels. Kernels that walk the labels can then work
    /// block by block — the membrane passes do. Derived information: equality ignores it.
    public var blocks: LabelBlocks?

    public init(labels: Plane<Int32>, count: Int, blocks: LabelBlocks? = nil) {
        if let b = blocks {
            precondition(b.factor >= 1 && b.labels.width == (labels.width + b.factor - 1) / b.factor
                && b.labels.height == (labels.height + b.factor - 1) / b.factor, "block labels must cover the labels")
        }
        self.labels = labels
        self.count = count
        self.blocks = blocks
    }

    public static func == (a: LabelImage, b: LabelImage) -> Bool { a.labels == b.labels && a.count == b.count }

    public init(width: Int, height: Int) {
        self.init(labels: Plane(width: width, height: height, repeating: 0), count: 0)
    }

    public var width: Int { labels.width }
    public var height: Int { labels.height }
    public subscript(x: Int, y: Int) -> Int32 { labels[x, y] }
}

/// Coarse labels whose `factor × factor` blocks (cut at the right and bottom edges) are a
/// `LabelImage`'s labels: ⌈width / factor⌉ × ⌈height / factor⌉ values, as `Upsample.blocks`
/// spreads them.
public struct LabelBlocks: Sendable {
    public var labels: Plane<Int32>
    public var factor: Int

    public init(labels: Plane<Int32>, factor: Int) {
        self.labels = labels
        self.factor = factor
    }
}
