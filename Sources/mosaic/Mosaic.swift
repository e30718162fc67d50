import ArgumentParser
import Foundation
import MosaicFiles

@main
struct Mosaic: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mosaic",
        abstract:
            "Publish statistics on AI-generated image abuse in schools, private for each affected person in each incident (no raw count, no school id).",
        discussion: """
            Schools fill in quarterly counts files; the regional authority keeps the registry, ingests \
            the files into its private store and follows up missing ones. See README.md for each user's guide.
            """,
        version: "0.1.0",
        subcommands: [
            Init.self, CodebookCommand.self, RegistryCommand.self, Template.self, Form.self, Validate.self, Ingest.self,
            Status.self, History.self, ReleaseCommand.self, Budget.self, Report.self, Query.self, Keys.self, Seal.self, Synth.self,
            Demo.self, DoctorCommand.self,
        ])
}

/// The store option shared by every command that reads or writes the store.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long, help: ArgumentHelp("The store file.", discussion: "Default: $MOSAIC_STORE, else ./mosaic.sqlite.", valueName: "path"))
    var store: String?

    /// The path to use.
    var path: String { store ?? ProcessInfo.processInfo.environment["MOSAIC_STORE"] ?? "mosaic.sqlite" }

    init() {}

    /// Options naming `path`, for commands with a store option of their own.
    init(path: String) { self.store = path }

    /// True when the user named a store (by flag or environment).
    var isGiven: Bool { store != nil || ProcessInfo.processInfo.environment["MOSAIC_STORE"] != nil }
}

/// Progress on a terminal: a single rewritten line on standard error, silent when standard
/// error is not a terminal (pipes, files, CI).
struct Progress {
    let label: String
    let enabled = isatty(STDERR_FILENO) == 1

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let pct = Int(Double(done) / Double(total) * 100)
        FileHandle.standardError.write(Data("\r\(label): \(done)/\(total) (\(pct) %)\u{1B}[K".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// Prints to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((Sanitize.message(text) + "\n").utf8))
}

/// Expands folders to the counts files (`.csv`, `.json`) they hold, sorted by path; files are kept as given.
func expandCountsFiles(_ paths: [String]) -> [String] {
    var out: [String] = []
    let fm = FileManager.default
    for p in paths {
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue {
            let found = (fm.enumerator(atPath: p)?.allObjects as? [String] ?? [])
                .filter { $0.hasSuffix(".csv") || $0.hasSuffix(".json") || $0.hasSuffix(".mpkg") || $0.hasSuffix(".tar") }
                .sorted()
                .map { (p as NSString).appendingPathComponent($0) }
            out += found
        } else {
            out.append(p)
        }
    }
    return out
}
