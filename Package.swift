// swift-tools-version: 6.2
// ihc-score — HER2 immunohistochemistry scoring.
//
// Floors, top to ground: ihc-score (CLI) → StainScore (Swift core) → CImageIO (C loaders)
// → the system libraries libpng, libtiff, libjpeg-turbo and ISA-L (the PNG fast path's inflate),
// found through pkg-config.
import PackageDescription

/// Release builds of the core may be tuned for x86-64-v3 (AVX2/FMA) with
/// `IHC_SCORE_MARCH=x86-64-v3 swift build -c release`; the default build stays portable.
let marchFlags: [SwiftSetting] = {
    guard let march = Context.environment["IHC_SCORE_MARCH"], !march.isEmpty else { return [] }
    return [.unsafeFlags(["-Xcc", "-march=\(march)"])]
}()

let package = Package(
    name: "ihc-score",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ihc-score", targets: ["ihc-score"]),
        .library(name: "StainScore", targets: ["StainScore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: one pkg-config name each (see SystemLibraries/*/module.modulemap).
        .systemLibrary(
            name: "CPNG", path: "SystemLibraries/CPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]),
        .systemLibrary(
            name: "CTIFF", path: "SystemLibraries/CTIFF", pkgConfig: "libtiff-4",
            providers: [.apt(["libtiff-dev"])]),
        .systemLibrary(
            name: "CTurboJPEG", path: "SystemLibraries/CTurboJPEG", pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(
            name: "CISAL", path: "SystemLibraries/CISAL", pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]),
        // C loaders and writers. setjmp/longjmp never leave these files.
        .target(
            name: "CImageIO",
            dependencies: ["CPNG", "CTIFF", "CTurboJPEG", "CISAL"],
            cSettings: [.unsafeFlags(["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"])]),
        // The Swift core.
        .target(
            name: "StainScore",
            dependencies: ["CImageIO"],
            swiftSettings: marchFlags),
        // The command-line tool: parsing and printing only.
        .executableTarget(
            name: "ihc-score",
            dependencies: [
                "StainScore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: marchFlags),
        .testTarget(name: "CImageIOTests", dependencies: ["CImageIO", "StainScore"]),
        .testTarget(name: "StainScoreTests", dependencies: ["StainScore"]),
        .testTarget(name: "ihc-scoreTests", dependencies: ["ihc-score", "StainScore"]),
    ]
)
