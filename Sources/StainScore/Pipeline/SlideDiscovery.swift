import Foundation

/// How folders given as inputs become slides.
public enum SlideLayout: String, Sendable, CaseIterable {
    /// A folder with image files directly in it is one slide; a folder with none is a folder of
    /// slides, each sub-folder (with images, found recursively) one slide.
    case auto
    /// Each folder is one slide (its images found recursively).
    case slide
    /// Each sub-folder of each folder is one slide; image files directly in the folder are
    /// ignored.
    case slides
    /// Every image file found is a slide of its own (tissue-microarray cores, single crops).
    case files
}

/// Finds the slides and tiles under the paths a user gives, in a stable order.
///
/// Images are `.png .jpg .jpeg .tif .tiff` files (any case), found recursively and sorted by
/// path; hidden files and folders (leading dot) are skipped, as are region-of-interest masks
/// (`T.mask.png`, `T-mask.tif`, `T_mask.png`, …) and any folder in `excluding` (the output
/// folder, when it lies inside an input). A file given directly is one slide named after the
/// file, whatever its extension (so a misnamed file gets a clear error). Slides keep the order of
/// the inputs, then of the sorted paths; tiles are named by their path relative to the slide's
/// folder.
public enum SlideDiscovery {
    /// File-name extensions treated as images when walking folders.
    public static let imageExtensions = InputDiscovery.imageExtensions

    /// The result of a discovery: the slides, and the inputs that gave none (listed as errors).
    public struct Found: Sendable {
        public var slides: [SlideInput]
        public var problems: [InputError]

        public init(slides: [SlideInput], problems: [InputError]) {
            self.slides = slides
            self.problems = problems
        }
    }

    /// Slides from `inputs`. A path that does not exist is an error (thrown: a usage problem);
    /// a folder without images is a problem (reported, the others are scored); two slides with
    /// the same name are an error (their results could not be told apart).
    public static func slides(from inputs: [String], layout: SlideLayout = .auto, pixelSize: PixelSize? = nil,
                              overridePixelSize: Bool = false, excluding: [String] = []) throws -> Found {
        let excluded = Set(excluding.compactMap(realPath))
        var slides: [SlideInput] = []
        var problems: [InputError] = []
        for input in inputs {
            let path = input.count > 1 && input.hasSuffix("/") ? String(input.dropLast()) : input
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InputError(path: input, message: "no such file or folder")
            }
            var found: [SlideInput] = []
            if !isDirectory.boolValue {
                var tile = TileInput(path: path)
                resolveRegionOfInterest(&tile, siblings: nil)
                found = [SlideInput(name: tile.name, tiles: [tile])]
            } else {
                let listing = Walker(excluded: excluded)
                switch layout {
                case .slide:
                    found = [folderSlide(path, walker: listing)]
                case .slides:
                    found = listing.subfolders(path).map { folderSlide($0, walker: listing) }
                case .files:
                    found = listing.images(under: path).map { SlideInput(name: $0.name, tiles: [TileInput(path: $0.path, name: $0.name, regionOfInterest: $0.regionOfInterest, regionOfInterestProblem: $0.regionOfInterestProblem)]) }
                case .auto:
                    if listing.hasImages(directlyIn: path) {
                        found = [folderSlide(path, walker: listing)]
                    } else {
                        found = listing.subfolders(path).map { folderSlide($0, walker: listing) }
                    }
                }
                found.removeAll { $0.tiles.isEmpty }
                if found.isEmpty { problems.append(InputError(path: input, message: "no image files (.png .jpg .jpeg .tif .tiff) found")) }
            }
            slides.append(contentsOf: found)
        }
        for i in slides.indices {
            slides[i].pixelSize = pixelSize
            slides[i].overridePixelSize = overridePixelSize
        }
        try checkNames(slides)
        return Found(slides: slides, problems: problems)
    }

    /// The tiles of a folder slide (recursive, sorted, masks excluded, regions of interest found).
    public static func tiles(inFolder path: String) -> [TileInput] {
        folderSlide(path, walker: Walker(excluded: [])).tiles
    }

    /// Slide names must be unique, and usable as a file name in the outputs.
    static func checkNames(_ slides: [SlideInput]) throws {
        var seen: [String: SlideInput] = [:]
        for slide in slides {
            if let problem = nameProblem(slide.name) {
                throw InputError(path: slide.tiles.first?.path ?? slide.name, message: "slide name '\(slide.name)' \(problem)")
            }
            if let other = seen[slide.name] {
                throw InputError(path: slide.tiles.first?.path ?? slide.name,
                                 message: "two slides are named '\(slide.name)' (also \(other.tiles.first?.path ?? "?")); results could not be told apart — rename one, or use a manifest")
            }
            seen[slide.name] = slide
        }
    }

    /// Why a slide name cannot be used, or nil.
    public static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name == "." || name == ".." || name.hasPrefix(".") { return "may not start with a dot" }
        if name.contains("/") || name.contains("\0") { return "may not contain '/'" }
        if name.contains("\n") || name.contains("\r") { return "may not contain a line break" }
        return nil
    }

    static func folderSlide(_ path: String, walker: Walker) -> SlideInput {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let tiles = walker.images(under: path).map {
            TileInput(path: $0.path, name: $0.relative, regionOfInterest: $0.regionOfInterest,
                      regionOfInterestProblem: $0.regionOfInterestProblem)
        }
        return SlideInput(name: name, tiles: tiles)
    }

    static func resolveRegionOfInterest(_ tile: inout TileInput, siblings: Set<String>?) {
        do {
            tile.regionOfInterest = try RegionOfInterestFiles.find(forTile: tile.path, siblings: siblings)
        } catch let error as InputError {
            tile.regionOfInterestProblem = error.message
        } catch {
            tile.regionOfInterestProblem = "\(error)"
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// An image file name (by extension); region-of-interest masks are not, unless asked for.
    static func isImage(_ name: String, includingMasks: Bool = false) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
            && (includingMasks || !RegionOfInterestFiles.isMask(fileName: name))
    }

    /// Directory walking with the exclusions and a guard against symbolic-link loops.
    struct Walker {
        var excluded: Set<String>
        /// Whether mask images (`T.mask.png`…) are listed as images too (`info` lists every image).
        var includeMasks = false

        struct Image {
            var path: String
            /// Relative to the folder walked.
            var relative: String
            var name: String
            var regionOfInterest: String?
            var regionOfInterestProblem: String?
        }

        func entries(_ directory: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        }

        func isDirectory(_ path: String) -> Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }

        func hasImages(directlyIn directory: String) -> Bool {
            entries(directory).contains { isImage($0) && !isDirectory(join(directory, $0)) }
        }

        /// Non-hidden sub-folders, sorted, without excluded ones.
        func subfolders(_ directory: String) -> [String] {
            entries(directory).map { join(directory, $0) }.filter { isDirectory($0) && !isExcluded($0) }
        }

        func isExcluded(_ path: String) -> Bool {
            guard !excluded.isEmpty, let real = SlideDiscovery.realPath(path) else { return false }
            return excluded.contains(real)
        }

        /// Image files under `root`, recursively, sorted by path.
        func images(under root: String) -> [Image] {
            var out: [Image] = []
            var visited: Set<String> = []
            walk(root, relative: "", into: &out, visited: &visited)
            return out
        }

        private func walk(_ directory: String, relative: String, into out: inout [Image], visited: inout Set<String>) {
            guard let real = SlideDiscovery.realPath(directory), visited.insert(real).inserted, !excluded.contains(real) else { return }
            let names = entries(directory)
            let siblings = Set(names)
            for name in names {
                let path = join(directory, name)
                if isDirectory(path) {
                    walk(path, relative: relative + name + "/", into: &out, visited: &visited)
                } else if SlideDiscovery.isImage(name, includingMasks: includeMasks) {
                    var tile = TileInput(path: path)
                    SlideDiscovery.resolveRegionOfInterest(&tile, siblings: siblings)
                    out.append(Image(path: path, relative: relative + name, name: name, regionOfInterest: tile.regionOfInterest,
                                     regionOfInterestProblem: tile.regionOfInterestProblem))
                }
            }
        }

        func join(_ directory: String, _ name: String) -> String {
            directory.hasSuffix("/") ? directory + name : directory + "/" + name
        }
    }
}
