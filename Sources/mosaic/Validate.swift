import ArgumentParser
import Foundation
import MosaicCounts
import MosaicIntake
import MosaicStore

extension Mosaic {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check counts files without storing them.",
            discussion:
                "Registry checks (known, open school; counts within enrolment) run only when a store is named with --store or MOSAIC_STORE; without one, the file's own rules are checked."
        )

        @Option(
            name: .customLong("store"),
            help: ArgumentHelp(
                "A store for registry checks.",
                discussion: "Default: $MOSAIC_STORE if set; without a store only the file's own rules are checked.", valueName: "path"))
        var storePath: String?
        @Argument(help: "Counts files (CSV or JSON), or folders of them.") var files: [String]
        @OptionGroup var words: LanguageOption

        func run() throws {
            let paths = expandCountsFiles(files)
            guard !paths.isEmpty else { throw Refusal("no counts files found in \(files.joined(separator: ", ")) (.csv or .json)") }
            let given = storePath ?? ProcessInfo.processInfo.environment["MOSAIC_STORE"]
            let check = try given.map { try RegistryCheck(store: StoreOptions(path: $0).open()) }
            let results = Ingestor.validate(paths, check: check, now: Date())
            var bad = 0
            for (path, r) in zip(paths, results) {
                switch r {
                case .success: if paths.count <= 20 { print(words("valid", ["file": path])) }
                case .failure(let e):
                    bad += 1
                    print(e.description(language: words.lang))
                }
            }
            print(
                words(
                    paths.count == 1 ? "summary_validate_one" : "summary_validate",
                    ["ok": "\(paths.count - bad)", "n": "\(paths.count)", "note": check == nil ? words("no_registry") : ""]))
            if bad > 0 { throw ExitCode(1) }
        }
    }
}
