import ArgumentParser
import Foundation
import StainScore

/// `ihc-score config`: print the default configuration, or check a configuration file.
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the default analysis parameters as a commented configuration file, or check one.",
        discussion: """
            ihc-score config --print-defaults > params.toml writes every analysis parameter with its default \
            and an explanation; edit what you need and pass it to ihc-score score --config params.toml (values \
            given as options on the command line override the file). --format json prints the same parameters \
            as JSON (the "parameters" block of report.json). --check FILE reads a TOML or JSON configuration, \
            reports the first problem (unknown key, wrong type) with its line, and prints the parameters it \
            gives as JSON.
            Exit codes: 0 success; 64 usage error or invalid configuration file.
            """)

    @Flag(help: "Print every parameter with its default and an explanation.")
    var printDefaults = false

    @Option(help: "Format of --print-defaults: toml or json.")
    var format: String = "toml"

    @Option(help: "Check a configuration file (TOML or JSON) and print the parameters it gives, as JSON.")
    var check: String?

    func validate() throws {
        guard ConfigurationFile.Format(rawValue: format) != nil else { throw ValidationError("--format must be toml or json") }
        guard printDefaults != (check != nil) else { throw ValidationError("give exactly one of --print-defaults or --check FILE") }
    }

    func run() throws {
        if printDefaults {
            print(format == "json" ? ConfigurationFile.defaultsJSON() : ConfigurationFile.defaultsTOML(), terminator: "")
            return
        }
        guard let check else { return }
        do {
            let parameters = try ConfigurationFile.load(check)
            print(try Output.json(parameters))
        } catch let error as ConfigurationError {
            Output.error(error.description)
            throw ExitCodes.usage
        }
    }
}
