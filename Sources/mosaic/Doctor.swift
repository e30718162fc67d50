import ArgumentParser
import Foundation
import MosaicRelease
import MosaicStore

extension Mosaic {
    struct DoctorCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "doctor",
            abstract: "Check the store and finish or clean up what an interrupted command left.",
            discussion: """
                Runs SQLite's integrity and foreign-key checks; finishes a release or credentials whose command was killed after \
                it was recorded (writes the file), or undoes one killed before (nothing was spent); removes orphaned temporary \
                files (.NAME.mosaic-tmp-…) in the store's folder and the --scan folders. Exits 1 when something needs you.
                """)
        @OptionGroup var store: StoreOptions
        @Option(parsing: .upToNextOption, help: "Also look for orphaned temporary files in these folders.") var scan: [String] = []
        @Flag(help: "Only report orphaned temporary files; do not remove them.") var dryRun = false

        func run() throws {
            let db = try Store.open(at: store.path)
            let report = try Doctor.run(store: db, scan: scan, fix: !dryRun)
            print(
                report.integrityProblems.isEmpty
                    ? "integrity: ok"
                    : "integrity: \(report.integrityProblems.count) problem(s): \(report.integrityProblems.prefix(5).joined(separator: "; "))"
            )
            for note in report.recovered { print("recovered: \(note.text)") }
            for p in report.inProgress { print("in progress: \(p)") }
            for o in report.orphans { print("\(dryRun ? "orphaned temporary file" : "removed orphaned temporary file"): \(o)") }
            if report.modeFixed { print("the store's file mode was wider than 0600: narrowed to 0600") }
            if report.recovered.isEmpty && report.orphans.isEmpty && report.inProgress.isEmpty { print("nothing unfinished") }
            if !report.isHealthy { throw ExitCode(1) }
        }
    }
}
