import Foundation

/// A folder of instance masks, one per image, where every truth nucleus is marked (DeepLIIF's
/// `instances/`): `<stem>_inst.png` beside `<stem>.png`, a single-channel grey PNG (usually
/// 16-bit) numbering each nucleus 1…n, 0 background. With them precision can be measured: a
/// detection off every marked nucleus is a false one.
///
/// Read with `ImageReader.readGrey16`, which keeps the stored values (the RGB8 path would round
/// 16-bit labels to 8 bits).
public struct InstanceMasks: Sendable {
    /// The folder.
    public var directory: String
    public var reader = ImageReader()

    public init(directory: String) {
        self.directory = directory
    }

    /// The mask file of the image with this stem (see `TruthPoint.stem`).
    public func path(stem: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + stem + "_inst.png"
    }

    /// The mask of the image with this stem, nil when the folder has none; a file that cannot be
    /// decoded is an `ImageIOError`.
    public func mask(stem: String) throws -> Plane<UInt16>? {
        let file = path(stem: stem)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        return try reader.readGrey16(file)
    }
}
