import Foundation

/// `report.json`: everything the CSV files hold plus provenance — the tool and its version, the
/// invocation, the rule set, every parameter, each input file's path, size and SHA-256, each
/// tile's pixel size and where it came from, regions of interest, per-tile files, errors and
/// timings. It is written as a stream (slides one by one) into a temporary file renamed into
/// place at the end, so its size does not weigh on memory.
///
/// Shape: `{ "schema": "ihc-score/report/1", …header…, "slides": [SlideSummary…], …footer… }`.
/// Between two runs on the same inputs only timings, timestamps and `resumed` differ.
public enum ReportJSON {
    public static let schema = "ihc-score/report/1"

    /// What is known before the first slide.
    public struct Header: Encodable, Sendable {
        public struct RuleSetInfo: Codable, Sendable {
            public var name: String
            public var summary: String
        }

        public struct Options: Codable, Sendable {
            public var jobs: Int
            public var resume: Bool
            public var geojson: Bool
            public var overlays: Bool
            public var layout: String?
            public var mpp: Double?
            public var overrideMpp: Bool
            public var config: String?
            /// `score --calibration`: the calibration file and its SHA-256 (absent without it).
            public var calibration: String?
            public var calibrationSHA256: String?
            /// `score --controls`: the labels of the run's control slides (absent without it).
            public var controls: String?

            public init(jobs: Int, resume: Bool, geojson: Bool, overlays: Bool, layout: String?, mpp: Double?, overrideMpp: Bool,
                        config: String?, calibration: String? = nil, calibrationSHA256: String? = nil, controls: String? = nil) {
                self.calibration = calibration
                self.calibrationSHA256 = calibrationSHA256
                self.controls = controls
                self.jobs = jobs
                self.resume = resume
                self.geojson = geojson
                self.overlays = overlays
                self.layout = layout
                self.mpp = mpp
                self.overrideMpp = overrideMpp
                self.config = config
            }
        }

        public var schema = ReportJSON.schema
        public var tool = "ihc-score"
        public var version = StainScoreVersion.version
        public var startedAt: String
        public var host: String
        public var invocation: [String]
        public var inputs: [String]
        public var manifest: String?
        public var ruleSet: RuleSetInfo
        public var parameters: AnalysisParameters
        /// SHA-256 of the parameters' canonical JSON (sorted keys, compact).
        public var parametersSHA256: String
        public var options: Options
        public var outputs: [String: String] = [
            "slides": "slides.csv", "cells": "cells.csv", "tiles": "tiles.csv", "html": "report.html", "geojson": "geojson/<slide>/<tile>.geojson",
            "overlays": "overlays/<slide>/<tile>.png", "state": ".state/slides/<slide>/",
        ]

        public init(startedAt: Date = Date(), invocation: [String], inputs: [String], manifest: String?,
                    parameters: AnalysisParameters, options: Options) {
            self.startedAt = ReportJSON.timestamp(startedAt)
            self.host = ProcessInfo.processInfo.hostName
            self.invocation = invocation
            self.inputs = inputs
            self.manifest = manifest
            self.ruleSet = RuleSetInfo(name: parameters.rules.ruleSet.rawValue, summary: parameters.rules.ruleSet.summary)
            self.parameters = parameters
            self.parametersSHA256 = SlideFingerprint.parametersDigest(parameters)
            self.options = options
        }
    }

    /// An input that could not be used: a tile, or an input path without images.
    public struct Problem: Codable, Sendable, Hashable {
        public var path: String
        public var slide: String?
        public var tile: String?
        public var message: String

        public init(path: String, slide: String? = nil, tile: String? = nil, message: String) {
            self.path = path
            self.slide = slide
            self.tile = tile
            self.message = message
        }
    }

    /// What is known at the end.
    public struct Footer: Encodable, Sendable {
        public struct Summary: Encodable, Sendable {
            public var slides: Int
            public var slidesScored: Int
            public var slidesResumed: Int
            public var tiles: Int
            public var tilesFailed: Int
            public var tumourCells: Int
            public var cells: Int
            /// Slides per score (`0`, `1+`, `2+`, `3+`) and per category.
            public var scores: [String: Int]
            public var categories: [String: Int]
        }

        public struct Timings: Codable, Sendable {
            public var wallSeconds: Double
            public var cpuSeconds: Double
            public var jobs: Int
            public var tilesAnalysed: Int
            public var tilesPerSecond: Double
            public var megapixelsPerSecond: Double
            public var peakResidentBytes: Int
        }

        public var finishedAt: String
        public var complete = true
        public var summary: Summary
        public var errors: [Problem]
        public var timings: Timings
    }

    /// ISO 8601 UTC with seconds.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// The lines between the braces of a pretty-printed object.
    static func body<T: Encodable>(_ value: T) throws -> String {
        let text = String(decoding: try encoder().encode(value), as: UTF8.self)
        guard text.hasPrefix("{\n"), text.hasSuffix("\n}") else { return "" }
        return String(text.dropFirst(2).dropLast(2))
    }

    /// Writes `report.json` piece by piece.
    public final class Stream {
        let file: AtomicStream
        var slides = 0

        public init(path: String, header: Header) throws {
            file = try AtomicStream(path: path)
            try file.write("{\n" + (try ReportJSON.body(header)) + ",\n  \"slides\" : [")
        }

        public func append(_ slide: SlideSummary) throws {
            let text = String(decoding: try ReportJSON.encoder().encode(slide), as: UTF8.self)
            let indented = text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
            try file.write((slides == 0 ? "\n" : ",\n") + indented)
            slides += 1
        }

        public func finish(_ footer: Footer) throws {
            try file.write((slides == 0 ? "" : "\n  ") + "],\n" + (try ReportJSON.body(footer)) + "\n}\n")
            try file.commit()
        }

        public func abandon() { file.abandon() }
    }
}
