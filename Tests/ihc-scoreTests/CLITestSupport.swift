import Foundation

/// Runs the built `ihc-score` binary and captures its output.
enum CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The package root (three levels above this file).
    static let packageRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }()

    /// The binary built beside the test bundle (or `IHC_SCORE_BIN`).
    static let binary: String = {
        if let explicit = ProcessInfo.processInfo.environment["IHC_SCORE_BIN"] { return explicit }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, Bundle.main.bundleURL, bundle.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("ihc-score").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return packageRoot + "/.build/debug/ihc-score"
    }()

    static func run(_ arguments: [String], in directory: String = packageRoot) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        // Both streams go to files: no pipe can fill up and block the child.
        let base = NSTemporaryDirectory() + "/ihc-score-cli-" + UUID().uuidString
        FileManager.default.createFile(atPath: base + ".out", contents: nil)
        FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let stdoutData = FileManager.default.contents(atPath: base + ".out") ?? Data()
        let stderrData = FileManager.default.contents(atPath: base + ".err") ?? Data()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }
}

/// A fresh temporary folder, removed when released.
final class Scratch {
    let path: String
    init() {
        path = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ihc-score-e2e-" + UUID().uuidString).path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

extension CLI {
    /// Starts the binary without waiting (output discarded), for tests that stop it half-way.
    static func start(_ arguments: [String], in directory: String = packageRoot) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}

/// Small virtual slides for the batch tests: 3 slides × 2 tiles of 256 px (synth seed 11), generated
/// once with the built binary and kept in `.build/test-fixtures/` (ignored by git) for later runs.
enum BatchFixture {
    static let folder: String = {
        let path = CLI.packageRoot + "/.build/test-fixtures/batch-s11-3x2-384"
        if FileManager.default.fileExists(atPath: path + "/labels.csv") { return path }
        let temporary = path + ".tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        let run = try? CLI.run(["synth", temporary, "--slides", "3", "--tiles-per-slide", "2", "--size", "384", "--seed", "11"])
        precondition(run?.status == 0, "synth failed: \(run?.stderr ?? "not run")")
        if rename(temporary, path) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
        return path
    }()

    static let slideNames = ["slide-001", "slide-002", "slide-003"]

    /// A writable copy of the fixture in `scratch` (slide folders, labels.csv and cells.csv).
    static func copy(into scratch: Scratch, as name: String = "slides") throws -> String {
        let target = scratch.file(name)
        try FileManager.default.copyItem(atPath: folder, toPath: target)
        return target
    }
}
