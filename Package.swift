// swift-tools-version: 6.2
// ihc-score — HER2 immunohistochemistry scoring.
//
// Floors, top to ground: ihc-score (CLI) → StainScore (Swift core) → CImageIO (C loaders)
// → the system libraries libpng, libtiff, libjpeg-turbo, ISA-L (the PNG fast path's inflate) and
// libcrypto (SHA-256),
// found through pkg-config.
import Foundation
import PackageDescription

/// The CPU level the Swift core and the C loaders are compiled for (`-march=…`), from `IHC_SCORE_MARCH`:
/// `portable` (the compiler's baseline, x86-64 with SSE2), `x86-64-v2`, `x86-64-v3`, `x86-64-v4`
/// or `native`. Unset: `x86-64-v3` when the building machine has every x86-64-v3 feature (AVX2,
/// FMA, BMI1/2, F16C, LZCNT, MOVBE, XSAVE in /proc/cpuinfo), else portable — the scripts build
/// where they run. The results do not depend on it (no fused multiply–adds are formed: Swift does
/// not contract floating-point expressions); the speed does (README, "Measured analysis speed").
/// `StainScoreBuild.cpuTarget` reports the choice.
let march: String = {
    let allowed = ["portable", "x86-64-v2", "x86-64-v3", "x86-64-v4", "native"]
    if let chosen = Context.environment["IHC_SCORE_MARCH"], !chosen.isEmpty {
        precondition(allowed.contains(chosen), "IHC_SCORE_MARCH must be one of \(allowed.joined(separator: ", ")), not \(chosen)")
        return chosen
    }
    #if arch(x86_64) && os(Linux)
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return "portable" }
    let flags = Set(line.split(separator: " ").map(String.init))
    let v3 = ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave", "sse4_2", "popcnt", "ssse3", "cx16"]
    return v3.allSatisfy(flags.contains) ? "x86-64-v3" : "portable"
    #else
    return "portable"
    #endif
}()

let marchFlags: [SwiftSetting] = march == "portable"
    ? []
    : [.unsafeFlags(["-Xcc", "-march=\(march)"]), .define("IHC_SCORE_MARCH_" + march.uppercased().replacingOccurrences(of: "-", with: "_"))]

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
        .systemLibrary(
            name: "CCrypto", path: "SystemLibraries/CCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        // C loaders and writers. setjmp/longjmp never leave these files.
        .target(
            name: "CImageIO",
            dependencies: ["CPNG", "CTIFF", "CTurboJPEG", "CISAL"],
            cSettings: [.unsafeFlags(["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"] + (march == "portable" ? [] : ["-march=\(march)"]))]),
        // The Swift core.
        .target(
            name: "StainScore",
            dependencies: ["CImageIO", "CCrypto"],
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
