import ArgumentParser
import StainScore

/// `ihc-score info FILE…`: what each image file really is.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print format, size, pages, bit depth, compression, tiling and pixel size of image files.",
        discussion: """
            FILE may be a folder: its PNG, JPEG and TIFF files are listed recursively. An unreadable \
            file gets an error line on stderr and the others are still reported; the exit code is then 2.
            With --verify every pixel of every listed page is decoded, so truncated or corrupt image \
            data is found before a run (the header alone can look sound); such files are reported the \
            same way.
            """)

    @Argument(help: "Image files or folders.")
    var files: [String]

    @Flag(help: "Print JSON (one array, an object per file) instead of a table.")
    var json = false

    @Flag(help: "List every page of multi-page TIFF files (default: page 0 only).")
    var allPages = false

    @Flag(help: "Decode every pixel of each listed page: report truncated or corrupt image data (exit code 2).")
    var verify = false

    @Option(help: "Largest image, in pixels, that counts as readable.")
    var pixelBudget = ImageReader.defaultPixelBudget

    func validate() throws {
        guard pixelBudget > 0 else { throw ValidationError("--pixel-budget must be positive") }
    }

    func run() throws {
        let reader = ImageReader(pixelBudget: pixelBudget)
        let paths = InputDiscovery.imageFiles(in: files)
        if paths.isEmpty { throw ValidationError("no image files found in \(files.joined(separator: ", "))") }
        var records: [InfoRecord] = []
        var failures = 0
        for path in paths {
            do {
                let first = try reader.info(of: path)
                var infos = [first]
                if allPages, first.pages > 1 {
                    for page in 1..<first.pages { infos.append(try reader.info(of: path, page: page)) }
                }
                for info in infos {
                    var record = InfoRecord(path: path, ok: true, info: info, error: nil)
                    if verify {
                        do {
                            _ = try reader.read(path, page: info.page)
                            record.verified = true
                        } catch let error as ImageIOError {
                            failures += 1
                            record.ok = false
                            record.verified = false
                            record.error = .init(kind: error.kind.rawValue, message: error.message)
                            Output.error(error.description)
                        }
                    }
                    records.append(record)
                    for warning in info.warnings where info.page == 0 { Output.warning("\(path): \(warning)") }
                }
            } catch let error as ImageIOError {
                failures += 1
                records.append(InfoRecord(path: path, ok: false, info: nil,
                                          error: .init(kind: error.kind.rawValue, message: error.message)))
                Output.error(error.description)
            }
        }
        if json {
            print(try Output.json(records))
        } else {
            print(Self.table(records))
        }
        if failures > 0 { throw ExitCodes.someInputsFailed }
    }

    static func table(_ records: [InfoRecord]) -> String {
        var rows = [["FILE", "FORMAT", "SIZE", "PAGE", "BITS", "COLOUR", "COMPRESSION", "LAYOUT", "PIXEL SIZE"]]
        for record in records {
            guard let i = record.info else {
                rows.append([record.path, "unreadable", "-", "-", "-", "-", "-", "-", "-"])
                continue
            }
            var layout: String
            switch i.layout {
            case .whole: layout = i.interlaced ? (i.format == .png ? "interlaced" : "progressive") : "whole"
            case .strips(let rows): layout = "strips of \(rows)"
            case .tiles(let w, let h): layout = "tiles \(w)×\(h)"
            }
            if i.planarSeparate { layout += ", planar" }
            if i.bigTIFF { layout += ", BigTIFF" }
            let size = i.pixelSize.map { s in
                let shown = s.x == s.y ? format(s.x) : "\(format(s.x))×\(format(s.y))"
                return "\(shown) µm/px (\(s.source.rawValue))"
            } ?? "unknown"
            rows.append([
                record.path, i.format.displayName + (record.verified == false ? " (corrupt data)" : ""), "\(i.width)×\(i.height)", "\(i.page + 1)/\(i.pages)",
                "\(i.bitsPerSample)×\(i.samplesPerPixel)", i.colorModel, i.compression, layout, size,
            ])
        }
        return Output.table(rows)
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 10_000).rounded() / 10_000
        return "\(rounded)"
    }
}

/// One file's entry in `info --json`.
struct InfoRecord: Encodable {
    struct Failure: Encodable {
        var kind: String
        var message: String
    }
    var path: String
    var ok: Bool
    var info: ImageInfo?
    var error: Failure?
    /// With `--verify`: whether every pixel of the page decoded (nil without `--verify`).
    var verified: Bool? = nil
}
