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
///
/// Held as a plane of one label per pixel, or — for a segmentation made at a multiple of the
/// pixel size — as the coarse labels whose blocks the pixels' labels are (`blocks`). Kernels
/// that can work block by block read the blocks (the membrane passes, the outlines, the cell
/// finder of the reports); the plane of such an image is made from them on first use of
/// `labels` (once, shared by the copies), so an analysis that never asks for it never spends the
/// time and memory of four times the coarse labels.
public struct LabelImage: Sendable, Equatable {
    /// The largest label in use.
    public var count: Int
    private var storage: LabelStorage

    public init(labels: Plane<Int32>, count: Int, blocks: LabelBlocks? = nil) {
        if let b = blocks { LabelStorage.checkCover(b, width: labels.width, height: labels.height) }
        self.count = count
        self.storage = LabelStorage(plane: labels, blocks: blocks, width: labels.width, height: labels.height)
    }

    /// Labels `width × height` that are the blocks of `blocks` (as `Upsample.blocks` spreads
    /// them), without making the plane.
    public init(blocks: LabelBlocks, width: Int, height: Int, count: Int) {
        LabelStorage.checkCover(blocks, width: width, height: height)
        self.count = count
        self.storage = LabelStorage(plane: nil, blocks: blocks, width: width, height: height)
    }

    public init(width: Int, height: Int) {
        self.init(labels: Plane(width: width, height: height, repeating: 0), count: 0)
    }

    /// One label per pixel. Setting it drops `blocks` (they need not agree any more).
    public var labels: Plane<Int32> {
        get { storage.plane }
        set { storage = LabelStorage(plane: newValue, blocks: nil, width: newValue.width, height: newValue.height) }
    }

    /// When `labels` is exactly the block upsampling of coarser labels (a segmentation made at a
    /// multiple of the pixel size): those labels. Kernels that walk the labels can then work
    /// block by block. Derived information: equality ignores it. Setting it keeps the labels
    /// (the caller vouches that they agree).
    public var blocks: LabelBlocks? {
        get { storage.blocks }
        set {
            let plane = storage.plane
            if let b = newValue { LabelStorage.checkCover(b, width: plane.width, height: plane.height) }
            storage = LabelStorage(plane: plane, blocks: newValue, width: plane.width, height: plane.height)
        }
    }

    public static func == (a: LabelImage, b: LabelImage) -> Bool { a.labels == b.labels && a.count == b.count }

    /// Whether the plane exists (given, or made from the blocks): the tests check that the
    /// analysis and its reports do without it.
    var hasPlane: Bool { storage.hasPlane }

    public var width: Int { storage.width }
    public var height: Int { storage.height }
    /// The label of pixel (x, y), read from the blocks when there are some.
    public subscript(x: Int, y: Int) -> Int32 {
        if let b = storage.blocks { return b.labels[x / b.factor, y / b.factor] }
        return labels[x, y]
    }
}

/// A `LabelImage`'s storage: the plane given, or the blocks and the plane made from them on
/// first use, under a lock (tiles are analysed and reported on several threads).
private final class LabelStorage: @unchecked Sendable {
    let width: Int
    let height: Int
    let blocks: LabelBlocks?
    private let given: Plane<Int32>?
    private var made: Plane<Int32>?
    private let lock = NSLock()

    init(plane: Plane<Int32>?, blocks: LabelBlocks?, width: Int, height: Int) {
        precondition(plane != nil || blocks != nil)
        self.given = plane
        self.blocks = blocks
        self.width = width
        self.height = height
    }

    static func checkCover(_ b: LabelBlocks, width: Int, height: Int) {
        precondition(b.factor >= 1 && b.labels.width == (width + b.factor - 1) / b.factor
            && b.labels.height == (height + b.factor - 1) / b.factor, "block labels must cover the labels")
    }

    var hasPlane: Bool {
        if given != nil { return true }
        lock.lock()
        defer { lock.unlock() }
        return made != nil
    }

    var plane: Plane<Int32> {
        if let given { return given }
        lock.lock()
        defer { lock.unlock() }
        if let made { return made }
        let b = blocks!
        let plane = Upsample.blocks(b.labels, factor: b.factor, width: width, height: height)
        made = plane
        return plane
    }
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

import Foundation
