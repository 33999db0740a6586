import Foundation
import StainScore
import Testing

@Suite("Slide discovery and manifests")
struct SlideDiscoveryTests {
    /// Creates empty files (contents do not matter to discovery).
    static func touch(_ folder: TemporaryFolder, _ names: [String]) throws {
        for name in names { try folder.write("x", to: name) }
    }

    @Test("a folder of slide folders: one slide per sub-folder, tiles sorted, masks and hidden files left out")
    func folderOfSlides() throws {
        let f = TemporaryFolder()
        try Self.touch(f, ["batch/s2/c.tif", "batch/s2/c.mask.png", "batch/s2/sub/d.JPG", "batch/s2/b.png",
                           "batch/s1/a.png", "batch/s1/a.geojson", "batch/notes.txt", "batch/.hidden/x.png",
                           "batch/s2/.x.png", "batch/s3/readme.md", "batch/s1/e_mask.tiff", "batch/s1/e.png"])
        let found = try SlideDiscovery.slides(from: [f.file("batch")])
        #expect(found.problems.isEmpty)
        #expect(found.slides.map(\.name) == ["s1", "s2"])
        #expect(found.slides[0].tiles.map(\.name) == ["a.png", "e.png"])
        #expect(found.slides[0].tiles[0].regionOfInterest == f.file("batch/s1/a.geojson"))
        #expect(found.slides[0].tiles[1].regionOfInterest == f.file("batch/s1/e_mask.tiff"))
        #expect(found.slides[1].tiles.map(\.name) == ["b.png", "c.tif", "sub/d.JPG"])
        #expect(found.slides[1].tiles[1].regionOfInterest == f.file("batch/s2/c.mask.png"))
        #expect(found.slides[1].tiles[0].regionOfInterest == nil)
        #expect(found.slides[1].tiles[2].path == f.file("batch/s2/sub/d.JPG"))
    }

    @Test("a folder with images in it is one slide; a file is a slide; layouts force the reading")
    func layouts() throws {
        let f = TemporaryFolder()
        try Self.touch(f, ["core/t1.png", "core/t2.png", "core/extra/t3.png", "single.jpg"])
        let folder = try SlideDiscovery.slides(from: [f.file("core") + "/", f.file("single.jpg")])
        #expect(folder.slides.map(\.name) == ["core", "single.jpg"])
        #expect(folder.slides[0].tiles.map(\.name) == ["extra/t3.png", "t1.png", "t2.png"])
        #expect(try SlideDiscovery.slides(from: [f.file("core")], layout: .slides).slides.map(\.name) == ["extra"])
        #expect(try SlideDiscovery.slides(from: [f.file("core")], layout: .files).slides.map(\.name) == ["t3.png", "t1.png", "t2.png"])
        #expect(try SlideDiscovery.slides(from: [f.file("core")], layout: .slide).slides.map(\.tiles.count) == [3])
        // Pixel size given to every slide.
        let mpp = PixelSize(micronsPerPixel: 0.25, source: .user)
        let given = try SlideDiscovery.slides(from: [f.file("core")], pixelSize: mpp, overridePixelSize: true)
        #expect(given.slides[0].pixelSize == mpp && given.slides[0].overridePixelSize)
    }

    @Test("the output folder inside an input is not scored")
    func excludesOutput() throws {
        let f = TemporaryFolder()
        try Self.touch(f, ["data/s1/a.png", "data/out/overlays/s1/a.png", "data/out/geojson/x.png"])
        let found = try SlideDiscovery.slides(from: [f.file("data")], excluding: [f.file("data/out")])
        #expect(found.slides.map(\.name) == ["s1"])
    }

    @Test("problems: missing path (thrown), folder without images (listed), duplicate names (thrown)")
    func problems() throws {
        let f = TemporaryFolder()
        try Self.touch(f, ["a/s1/x.png", "b/s1/y.png", "empty/readme.txt"])
        #expect(throws: InputError(path: f.file("nope"), message: "no such file or folder")) {
            try SlideDiscovery.slides(from: [f.file("nope")])
        }
        let empty = try SlideDiscovery.slides(from: [f.file("empty"), f.file("a")])
        #expect(empty.slides.map(\.name) == ["s1"])
        #expect(empty.problems.map(\.path) == [f.file("empty")])
        do {
            _ = try SlideDiscovery.slides(from: [f.file("a"), f.file("b")])
            Issue.record("duplicate slide names accepted")
        } catch let error as InputError {
            #expect(error.message.contains("two slides are named 's1'"))
        }
    }

    @Test("two region-of-interest files for one tile are a problem of that tile")
    func ambiguousROI() throws {
        let f = TemporaryFolder()
        try Self.touch(f, ["s/t.png", "s/t.mask.png", "s/t.geojson"])
        let tile = try #require(try SlideDiscovery.slides(from: [f.file("s")]).slides.first?.tiles.first)
        #expect(tile.regionOfInterest == nil)
        #expect(tile.regionOfInterestProblem?.contains("several region-of-interest files") == true)
        #expect(RegionOfInterestFiles.isMask(fileName: "a-mask.PNG") && RegionOfInterestFiles.isMask(fileName: "a.mask.tif"))
        #expect(!RegionOfInterestFiles.isMask(fileName: "mask.png") && !RegionOfInterestFiles.isMask(fileName: "a_mask.csv"))
    }

    @Test("manifest: slides in first-row order, tiles sorted, relative paths, mpp and roi columns")
    func manifest() throws {
        let f = TemporaryFolder()
        try Self.touch(f, ["img/b.png", "img/a.png", "img/a.mask.png", "other/a.png", "img/c.png", "r/c.geojson"])
        try f.write("""
            slide,path,mpp,roi
            case-2,img/c.png,,r/c.geojson
            case-1,img/b.png,0.25,
            case-1,img/a.png,0.25,
            case-2,other/a.png,,
            case-2,img/a.png,,

            """, to: "list.csv")
        let slides = try SlideManifest.read(f.file("list.csv"))
        #expect(slides.map(\.name) == ["case-2", "case-1"])
        #expect(slides[1].tiles.map(\.path) == [f.file("img/a.png"), f.file("img/b.png")])
        #expect(slides[1].tiles.map(\.pixelSize?.micronsPerPixel) == [0.25, 0.25])
        #expect(slides[1].tiles[0].regionOfInterest == f.file("img/a.mask.png"))  // found beside the tile
        // Two files named a.png in case-2: names relative to their common folder.
        #expect(slides[0].tiles.map(\.name) == ["img/a.png", "img/c.png", "other/a.png"])
        #expect(slides[0].tiles[1].regionOfInterest == f.file("r/c.geojson"))
        #expect(slides[0].tiles[0].pixelSize == nil)
    }

    @Test("manifest errors name the file and line", arguments: [
        ("slide,file\ns,a.png\ns,a.png\n", 3, "listed twice"),
        ("slide,path,mpp\ns,a.png,fast\n", 2, "not a pixel size"),
        ("name,path\ns,a.png\n", 1, "no column named 'slide'"),
        ("slide,path\n.hidden,a.png\n", 2, "may not start with a dot"),
        ("slide,path\ns,\n", 2, "empty path"),
    ])
    func manifestErrors(text: String, line: Int, fragment: String) throws {
        let f = TemporaryFolder()
        try f.write(text, to: "m.csv")
        do {
            _ = try SlideManifest.read(f.file("m.csv"))
            Issue.record("no error")
        } catch let error as InputError {
            #expect(error.line == line, "\(error)")
            #expect(error.message.contains(fragment), "\(error)")
        }
    }
}
